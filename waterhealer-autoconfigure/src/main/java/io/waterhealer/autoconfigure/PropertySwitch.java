package io.waterhealer.autoconfigure;

import io.waterhealer.settings.SettingChecks;
import io.waterhealer.settings.SettingName;

import org.springframework.context.annotation.ConditionContext;

/**
 * A {@code true}/{@code false} property read by a condition, before the properties are bound: a value that is not
 * a boolean is reported here with the property's name, instead of as a conversion failure inside condition
 * evaluation.
 */
final class PropertySwitch {

	private PropertySwitch() {
	}

	static boolean read(ConditionContext context, String property, boolean defaultValue) {
		String value = context.getEnvironment().getProperty(property, Boolean.toString(defaultValue)).trim();
		return SettingChecks.bool(SettingName.property(property), value);
	}

}
