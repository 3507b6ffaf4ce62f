package io.waterhealer.kafka;

import io.waterhealer.kafka.ContainerFactoryInspector.InspectedContainerFactory;
import io.waterhealer.kafka.worker.HandlerMethodFactories;
import io.waterhealer.kafka.worker.ListenerBinding;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.kafka.config.KafkaListenerEndpointRegistrar;
import org.springframework.kafka.support.converter.MessagingMessageConverter;
import org.springframework.kafka.support.converter.RecordMessageConverter;
import org.springframework.messaging.handler.annotation.support.MessageHandlerMethodFactory;
import org.springframework.validation.Validator;

/**
 * What a {@code @HealingListener} method is bound with, taken from where a {@code @KafkaListener} method's comes
 * from so that moving a method from one annotation to the other changes nothing in how its arguments arrive: the
 * {@link MessageHandlerMethodFactory} the application set on the {@link KafkaListenerEndpointRegistrar} (in a
 * {@code KafkaListenerConfigurer}), or else one configured as spring-kafka configures its default, with the
 * registrar's validator and custom argument resolvers; and the container factory's {@link RecordMessageConverter},
 * which is where Spring Boot puts its {@code RecordMessageConverter} bean for {@code @KafkaListener} methods.
 * <p>
 * One difference: when the registrar has no validator, Boot's validator (the one {@code spring-boot-starter-validation}
 * defines) validates {@code @Valid} payloads, so that validation works without a {@code KafkaListenerConfigurer}.
 * <p>
 * The registrar's factory is read when waterhealer's own configurer runs; a {@code KafkaListenerConfigurer} of the
 * application that sets one must therefore be registered before it, as application beans are by default (Boot's
 * auto-configurations come after them).
 */
final class ListenerBindings {

	private final ListableBeanFactory beanFactory;

	private @Nullable MessageHandlerMethodFactory defaultFactory;

	ListenerBindings(ListableBeanFactory beanFactory) {
		this.beanFactory = beanFactory;
	}

	/**
	 * The binding of one listener.
	 * @param registrar spring-kafka's registrar, with the application's factory, validator and resolvers
	 * @param factory the listener's container factory
	 * @param groupId the listener's consumer group, for the {@code GROUP_ID} header
	 * @return the binding
	 */
	ListenerBinding binding(KafkaListenerEndpointRegistrar registrar, InspectedContainerFactory factory,
			@Nullable String groupId) {
		RecordMessageConverter converter = factory.recordMessageConverter();
		return new ListenerBinding(factory(registrar),
				(converter != null) ? converter : new MessagingMessageConverter(), groupId,
				registrar.getCustomMethodArgumentResolvers());
	}

	private MessageHandlerMethodFactory factory(KafkaListenerEndpointRegistrar registrar) {
		MessageHandlerMethodFactory applications = registrar.getMessageHandlerMethodFactory();
		if (applications != null) {
			return applications;
		}
		MessageHandlerMethodFactory factory = this.defaultFactory;
		if (factory == null) {
			Validator validator = registrar.getValidator();
			factory = HandlerMethodFactories.create((validator != null) ? validator : bootValidator(),
					registrar.getCustomMethodArgumentResolvers(), this.beanFactory);
			this.defaultFactory = factory;
		}
		return factory;
	}

	/** Boot's {@code defaultValidator}, or the only validator there is. */
	private @Nullable Validator bootValidator() {
		if (this.beanFactory.containsBean("defaultValidator")
				&& this.beanFactory.isTypeMatch("defaultValidator", Validator.class)) {
			return this.beanFactory.getBean("defaultValidator", Validator.class);
		}
		return this.beanFactory.getBeanProvider(Validator.class).getIfUnique();
	}

}
