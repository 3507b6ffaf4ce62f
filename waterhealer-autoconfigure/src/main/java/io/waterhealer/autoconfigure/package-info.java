/**
 * Spring Boot auto-configuration and configuration properties for waterhealer.
 */
@NullMarked
package io.waterhealer.autoconfigure;

import org.jspecify.annotations.NullMarked;
