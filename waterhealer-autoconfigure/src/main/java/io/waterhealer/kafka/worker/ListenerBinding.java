package io.waterhealer.kafka.worker;

import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.kafka.support.converter.MessagingMessageConverter;
import org.springframework.kafka.support.converter.RecordMessageConverter;
import org.springframework.messaging.handler.annotation.support.MessageHandlerMethodFactory;
import org.springframework.messaging.handler.invocation.HandlerMethodArgumentResolver;

/**
 * What a listener method is bound with, the same parts a {@code @KafkaListener} method is bound with: the
 * {@link MessageHandlerMethodFactory} that resolves its arguments ({@code @Payload}, {@code @Header}, validation,
 * custom resolvers), the {@link RecordMessageConverter} that turns a record into a {@code Message} (the container
 * factory's, e.g. Boot's {@code JacksonJsonMessageConverter} bean) and the consumer group for the
 * {@code GROUP_ID} header, which spring-kafka reads from a consumer-thread local that worker threads do not have.
 *
 * @param factory creates the listener's {@code InvocableHandlerMethod}
 * @param converter record to message, with the payload type inferred from the method
 * @param groupId the listener's consumer group, if known
 * @param customResolvers the registrar's custom argument resolvers: a parameter one of them supports is not a
 * second value parameter
 */
public record ListenerBinding(MessageHandlerMethodFactory factory, RecordMessageConverter converter,
		@Nullable String groupId, List<HandlerMethodArgumentResolver> customResolvers) {

	/**
	 * Binding as a plain {@code @KafkaListener} gets it: spring-kafka's factory without validator or custom
	 * resolvers, and a {@link MessagingMessageConverter}.
	 * @return the binding
	 */
	public static ListenerBinding defaults() {
		return new ListenerBinding(HandlerMethodFactories.create(null, List.of(), null),
				new MessagingMessageConverter(), null, List.of());
	}

}
