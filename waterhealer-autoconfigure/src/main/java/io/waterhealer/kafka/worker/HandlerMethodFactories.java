package io.waterhealer.kafka.worker;

import java.lang.annotation.Annotation;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.core.MethodParameter;
import org.springframework.core.convert.TypeDescriptor;
import org.springframework.core.convert.converter.Converter;
import org.springframework.core.convert.converter.GenericConverter;
import org.springframework.format.support.DefaultFormattingConversionService;
import org.springframework.kafka.listener.adapter.KafkaMessageHandlerMethodFactory;
import org.springframework.kafka.support.KafkaNull;
import org.springframework.messaging.Message;
import org.springframework.messaging.converter.GenericMessageConverter;
import org.springframework.messaging.converter.MessageConverter;
import org.springframework.messaging.handler.annotation.Header;
import org.springframework.messaging.handler.annotation.Headers;
import org.springframework.messaging.handler.annotation.Payload;
import org.springframework.messaging.handler.annotation.support.MessageHandlerMethodFactory;
import org.springframework.messaging.handler.annotation.support.PayloadMethodArgumentResolver;
import org.springframework.messaging.handler.invocation.HandlerMethodArgumentResolver;
import org.springframework.validation.Validator;

/**
 * The {@link MessageHandlerMethodFactory} a {@code @HealingListener} method gets when the application set none on
 * the {@code KafkaListenerEndpointRegistrar}: configured the way spring-kafka's
 * {@code KafkaListenerAnnotationBeanPostProcessor} configures the one of {@code @KafkaListener} methods (spring-kafka's
 * {@link KafkaMessageHandlerMethodFactory}, a formatting conversion service that also turns {@code byte[]} into
 * {@code String} (UTF-8) and into binary numbers, the registrar's validator and custom argument resolvers, the bean factory for
 * placeholders in {@code @Header}).
 * <p>
 * One addition: a value parameter annotated {@code @Nullable} (any annotation of that name) receives {@code null}
 * for a tombstone, as {@code @HealingListener} methods did before they were bound by spring-messaging;
 * {@code @Payload(required = false)} does the same the {@code @KafkaListener} way.
 */
public final class HandlerMethodFactories {

	private HandlerMethodFactories() {
	}

	/**
	 * Create a factory.
	 * @param validator validates {@code @Valid} / {@code @Validated} payloads, if any
	 * @param customResolvers the registrar's custom argument resolvers
	 * @param beanFactory resolves placeholders in header names, if any
	 * @return the initialised factory
	 */
	public static MessageHandlerMethodFactory create(@Nullable Validator validator,
			List<HandlerMethodArgumentResolver> customResolvers, @Nullable BeanFactory beanFactory) {
		KafkaMessageHandlerMethodFactory factory = new KafkaMessageHandlerMethodFactory();
		if (validator != null) {
			factory.setValidator(validator);
		}
		if (beanFactory != null) {
			factory.setBeanFactory(beanFactory);
		}
		DefaultFormattingConversionService conversions = new DefaultFormattingConversionService();
		conversions.addConverter(new BytesToString());
		conversions.addConverter(new BytesToNumber());
		factory.setConversionService(conversions);
		GenericMessageConverter messageConverter = new GenericMessageConverter(conversions);
		factory.setMessageConverter(messageConverter);
		List<HandlerMethodArgumentResolver> resolvers = new ArrayList<>(customResolvers);
		resolvers.add(new NullablePayloadResolver(messageConverter, validator));
		factory.setCustomArgumentResolvers(resolvers);
		factory.afterPropertiesSet();
		return factory;
	}

	/** Whether the parameter receives a header ({@code @Header}) or all of them ({@code @Headers}). */
	static boolean isHeader(MethodParameter parameter) {
		return parameter.hasParameterAnnotation(Header.class) || parameter.hasParameterAnnotation(Headers.class);
	}

	/** Whether the parameter carries an annotation called {@code Nullable} (JSpecify, Spring, JSR-305, ...). */
	static boolean isNullable(MethodParameter parameter) {
		for (Annotation annotation : parameter.getParameterAnnotations()) {
			if ("Nullable".equals(annotation.annotationType().getSimpleName())) {
				return true;
			}
		}
		for (Annotation annotation : parameter.getParameter().getAnnotatedType().getAnnotations()) {
			if ("Nullable".equals(annotation.annotationType().getSimpleName())) {
				return true;
			}
		}
		return false;
	}

	private record BytesToString() implements Converter<byte[], String> {

		@Override
		public String convert(byte[] source) {
			return new String(source, StandardCharsets.UTF_8);
		}

	}

	/**
	 * A header of 8, 4, 2 or 1 bytes to a {@code long}, {@code int}, {@code short} or {@code byte}, big-endian, as
	 * spring-kafka converts binary number headers for {@code @KafkaListener} methods.
	 */
	private record BytesToNumber() implements GenericConverter {

		private static final Map<Class<?>, Integer> SIZES = Map.of(Long.class, Long.BYTES, long.class, Long.BYTES,
				Integer.class, Integer.BYTES, int.class, Integer.BYTES, Short.class, Short.BYTES, short.class,
				Short.BYTES, Byte.class, Byte.BYTES, byte.class, Byte.BYTES);

		@Override
		public Set<ConvertiblePair> getConvertibleTypes() {
			Set<ConvertiblePair> pairs = new HashSet<>();
			SIZES.keySet().forEach((type) -> pairs.add(new ConvertiblePair(byte[].class, type)));
			return pairs;
		}

		@Override
		public @Nullable Object convert(@Nullable Object source, TypeDescriptor sourceType, TypeDescriptor targetType) {
			if (source == null) {
				return null;
			}
			byte[] bytes = (byte[]) source;
			Class<?> type = targetType.getType();
			int size = SIZES.getOrDefault(type, Long.BYTES);
			if (bytes.length < size) {
				throw new IllegalArgumentException(
						(type == int.class || type == Integer.class ? "an " : "a ") + type.getSimpleName() + " needs " + size + " bytes, the header has " + bytes.length);
			}
			ByteBuffer buffer = ByteBuffer.wrap(bytes);
			return switch (size) {
				case Long.BYTES -> buffer.getLong();
				case Integer.BYTES -> buffer.getInt();
				case Short.BYTES -> buffer.getShort();
				default -> buffer.get();
			};
		}

	}

	/** A {@code @Nullable} value parameter without {@code @Payload}: a tombstone is {@code null}. */
	private static final class NullablePayloadResolver extends PayloadMethodArgumentResolver {

		NullablePayloadResolver(MessageConverter converter, @Nullable Validator validator) {
			super(converter, validator);
		}

		@Override
		public boolean supportsParameter(MethodParameter parameter) {
			return !parameter.hasParameterAnnotation(Payload.class) && !isHeader(parameter)
					&& !Message.class.isAssignableFrom(parameter.getParameterType()) && isNullable(parameter);
		}

		@Override
		public @Nullable Object resolveArgument(MethodParameter parameter, Message<?> message) throws Exception {
			if (message.getPayload() instanceof KafkaNull) {
				return null;
			}
			return super.resolveArgument(parameter, message);
		}

	}

}
