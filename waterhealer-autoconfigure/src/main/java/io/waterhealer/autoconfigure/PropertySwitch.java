package io.waterhealer.autoconfigure;

import io.waterhealer.InvalidHealingListenerException;

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
		if (!"true".equalsIgnoreCase(value) && !"false".equalsIgnoreCase(value)) {
			throw InvalidHealingListenerException.forProperty(property, "is '" + value + "', not a boolean",
					"Set it to true or false.");
		}
		return Boolean.parseBoolean(value);
	}

}
