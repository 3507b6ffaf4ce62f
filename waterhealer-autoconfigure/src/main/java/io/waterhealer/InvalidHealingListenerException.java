package io.waterhealer;

import org.jspecify.annotations.Nullable;

/**
 * A {@link HealingListener} or a {@code waterhealer.*} property is set to something that cannot work. Thrown at
 * startup, so that a listener never runs half-configured; the message names the listener, the setting and the fix.
 */
public class InvalidHealingListenerException extends IllegalStateException {

	/** The listener at fault, {@code null} for a property that applies to every listener. */
	private final @Nullable String listenerId;

	/** The attribute or property at fault. */
	private final String setting;

	/** What to change. */
	private final String fix;

	/**
	 * Create the exception.
	 * @param listenerId the listener, or {@code null} for a property that applies to every listener
	 * @param setting the attribute or property at fault
	 * @param problem what is wrong with it
	 * @param fix what to change
	 */
	public InvalidHealingListenerException(@Nullable String listenerId, String setting, String problem, String fix) {
		super(((listenerId != null) ? "@HealingListener '" + listenerId + "': " : "Property ") + setting + " "
				+ problem + ". " + fix);
		this.listenerId = listenerId;
		this.setting = setting;
		this.fix = fix;
	}

	/**
	 * A {@code waterhealer.*} property that applies to every listener is invalid.
	 * @param property the property name
	 * @param problem what is wrong with its value
	 * @param fix what to change
	 * @return the exception
	 */
	public static InvalidHealingListenerException forProperty(String property, String problem, String fix) {
		return new InvalidHealingListenerException(null, property, problem, fix);
	}

	/** {@return the listener at fault, or {@code null} when a property for every listener is} */
	public @Nullable String getListenerId() {
		return this.listenerId;
	}

	/** {@return the attribute or property at fault, as the application wrote it} */
	public String getSetting() {
		return this.setting;
	}

	/** {@return what to change, the "action" of the failure report} */
	public String getFix() {
		return this.fix;
	}

}
