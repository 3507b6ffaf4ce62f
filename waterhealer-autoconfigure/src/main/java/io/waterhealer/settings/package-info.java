/**
 * What a {@code @HealingListener} was configured to do, resolved and checked once: plain Java values with no Spring
 * imports, built by the properties mapper and the annotation resolver and read by the consumer and worker sides.
 */
@NullMarked
package io.waterhealer.settings;

import org.jspecify.annotations.NullMarked;
