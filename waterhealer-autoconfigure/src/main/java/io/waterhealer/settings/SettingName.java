package io.waterhealer.settings;

import io.waterhealer.InvalidHealingListenerException;
import org.jspecify.annotations.Nullable;

/**
 * The name a setting is reported under when {@link SettingChecks} rejects its value: a {@code waterhealer.*} property,
 * or an attribute of one {@code @HealingListener}. The checks are the same on both sides; the name makes the message
 * point at the place the user has to edit.
 *
 * @param listenerId the listener whose attribute this is, or {@code null} for a property
 * @param setting the property name or the attribute name
 * @param whenEmpty what leaving an attribute empty does, appended to the fix (e.g. {@code or leave it empty for the
 * default}); empty when the fix says nothing about it
 */
public record SettingName(@Nullable String listenerId, String setting, String whenEmpty) {

	/**
	 * A {@code waterhealer.*} property, which applies to every listener.
	 * @param property the property name, e.g. {@code waterhealer.listener.parallelism}
	 * @return the name
	 */
	public static SettingName property(String property) {
		return new SettingName(null, property, "");
	}

	/**
	 * An attribute of one listener's annotation whose fix says nothing about leaving it empty.
	 * @param listenerId the listener id
	 * @param attribute the attribute, e.g. {@code maxAttempts}
	 * @return the name
	 */
	public static SettingName attribute(String listenerId, String attribute) {
		return new SettingName(listenerId, attribute, "");
	}

	/**
	 * An attribute of one listener's annotation that may be left empty.
	 * @param listenerId the listener id
	 * @param attribute the attribute, e.g. {@code parallelism}
	 * @param whenEmpty what leaving it empty does, e.g. {@code or leave it empty for the default}
	 * @return the name
	 */
	public static SettingName attribute(String listenerId, String attribute, String whenEmpty) {
		return new SettingName(listenerId, attribute, whenEmpty);
	}

	/**
	 * Whether this names a property rather than a listener's attribute.
	 * @return whether it is a property
	 */
	public boolean isProperty() {
		return this.listenerId == null;
	}

	/**
	 * The exception that reports a wrong value of this setting.
	 * @param problem what is wrong with the value, e.g. {@code is 0}
	 * @param fix what to change, a whole sentence
	 * @return the exception to throw
	 */
	public InvalidHealingListenerException invalid(String problem, String fix) {
		return new InvalidHealingListenerException(this.listenerId, this.setting, problem, fix);
	}

	/**
	 * A fix that ends with what leaving the setting empty does, if this name says so.
	 * @param fix the fix without its full stop, e.g. {@code Set it to a whole number of at least 1}
	 * @return the whole sentence
	 */
	String fix(String fix) {
		return this.whenEmpty.isEmpty() ? fix + "." : fix + ", " + this.whenEmpty + ".";
	}

}
