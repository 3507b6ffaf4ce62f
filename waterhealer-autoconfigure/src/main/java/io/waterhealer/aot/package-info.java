/**
 * What an ahead-of-time processed or native application needs to know about waterhealer that it cannot see in the
 * code: classes Kafka loads by name and files served from the jar. {@code @HealingListener} methods get their hints
 * from the annotation itself ({@code @Reflective} with spring-messaging's {@code MessageMappingReflectiveProcessor},
 * the processor {@code @KafkaListener} reaches through {@code @MessageMapping}), not from here.
 */
@NullMarked
package io.waterhealer.aot;

import org.jspecify.annotations.NullMarked;
