package io.waterhealer.kafka.worker;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;

import io.waterhealer.InvalidHealingListenerException;
import io.waterhealer.Stages;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Headers;
import org.jspecify.annotations.Nullable;

import org.springframework.core.KotlinDetector;
import org.springframework.core.MethodParameter;
import org.springframework.core.ResolvableType;
import org.springframework.core.convert.ConversionException;
import org.springframework.core.convert.ConversionFailedException;
import org.springframework.kafka.support.Acknowledgment;
import org.springframework.kafka.support.KafkaUtils;
import org.springframework.messaging.Message;
import org.springframework.messaging.converter.MessageConversionException;
import org.springframework.messaging.handler.annotation.Payload;
import org.springframework.messaging.handler.annotation.support.MethodArgumentNotValidException;
import org.springframework.messaging.handler.invocation.HandlerMethodArgumentResolver;
import org.springframework.messaging.handler.invocation.InvocableHandlerMethod;
import org.springframework.messaging.handler.invocation.MethodArgumentResolutionException;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;
import org.springframework.validation.FieldError;
import org.springframework.validation.ObjectError;

/**
 * Calls a {@code @HealingListener} method for one record: a normal return means the record is complete, a
 * returned {@link CompletionStage} completes it later (so does an {@link Acknowledgment} parameter, when the method
 * acknowledges), a thrown exception fails it.
 * <p>
 * A per-record method is bound the way a {@code @KafkaListener} method is, by spring-kafka's and spring-messaging's
 * own machinery rather than by code of ours: the record becomes a {@link Message} through the listener's
 * {@code RecordMessageConverter} (headers {@code RECEIVED_KEY}, {@code RECEIVED_TOPIC}, ..., the payload converted
 * to the type inferred from the method, as spring-kafka infers it), and one {@link InvocableHandlerMethod} from the
 * listener's {@code MessageHandlerMethodFactory} resolves {@code @Payload}, {@code @Header}, {@code @Headers},
 * {@code Message<T>}, validation and custom resolvers. {@link ConsumerRecord}, {@link Headers}, {@link Stages} and
 * {@link Acknowledgment} are handed in as provided arguments, as spring-kafka hands in the record and its
 * acknowledgment. A record whose value or headers cannot be converted, or whose payload fails validation, fails
 * with a {@link PoisonPillException}: no attempt can change its bytes, so it goes straight to the policy.
 * <p>
 * Batch methods ({@code List} parameter) keep their by-type binding: the values or the records of the batch.
 */
public final class HandlerMethodInvoker {

	private final String listenerId;

	private final Object bean;

	private final Method method;

	private final ListenerBinding binding;

	private final @Nullable InvocableHandlerMethod handlerMethod;

	private final @Nullable MethodParameter payload;

	private final @Nullable Type payloadType;

	private final boolean payloadRequired;

	private final boolean takesStages;

	private final boolean takesAcknowledgment;

	private final boolean batch;

	private final boolean batchOfRecords;

	private final boolean returnsStage;

	/** Whether the method is a Kotlin {@code suspend} fun, which completes when the coroutine returns. */
	private final boolean suspending;

	/**
	 * An invoker bound like a plain {@code @KafkaListener} method: no converter, validator or custom resolvers.
	 * @param listenerId the listener, for messages
	 * @param bean the bean to call
	 * @param method its listener method
	 */
	public HandlerMethodInvoker(String listenerId, Object bean, Method method) {
		this(listenerId, bean, method, ListenerBinding.defaults());
	}

	/**
	 * An invoker bound with the listener's factory and converter.
	 * @param listenerId the listener, for messages
	 * @param bean the bean to call
	 * @param method its listener method
	 * @param binding the factory, converter and group the method is bound with
	 */
	public HandlerMethodInvoker(String listenerId, Object bean, Method method, ListenerBinding binding) {
		this.listenerId = listenerId;
		this.bean = bean;
		this.method = method;
		this.binding = binding;
		// a Kotlin suspend fun's last parameter is the Continuation the compiler adds; the factory supplies it
		this.suspending = KotlinDetector.isSuspendingFunction(method);
		int bound = this.suspending ? method.getParameterCount() - 1 : method.getParameterCount();
		if (bound == 0) {
			throw new InvalidHealingListenerException(listenerId, "method " + describe(method),
					"takes no parameter",
					"Add a parameter for the record's value, or a ConsumerRecord<K, V> parameter.");
		}
		MethodParameter value = null;
		boolean stages = false;
		boolean acknowledgment = false;
		boolean list = false;
		boolean perRecord = false;
		for (int i = 0; i < bound; i++) {
			MethodParameter parameter = new MethodParameter(method, i);
			Class<?> type = parameter.getParameterType();
			if (Consumer.class.isAssignableFrom(type)) {
				throw new InvalidHealingListenerException(listenerId, "parameter '" + name(parameter) + "' of "
						+ describe(method), "is a Kafka Consumer, but the method runs on a worker thread and a "
								+ "KafkaConsumer must not be used from any thread but its consumer thread",
						"Remove the parameter: waterhealer commits and pauses for you; to commit a record "
								+ "yourself take an Acknowledgment, to see the record take a ConsumerRecord<K, V>.");
			}
			if (ConsumerRecord.class.equals(type) || Headers.class.equals(type)) {
				perRecord = true;
			}
			else if (Stages.class.equals(type)) {
				stages = true;
				perRecord = true;
			}
			else if (Acknowledgment.class.equals(type)) {
				acknowledgment = true;
				perRecord = true;
			}
			else if (HandlerMethodFactories.isHeader(parameter) || resolvedByApplication(binding, parameter)) {
				perRecord = true;
			}
			else if (value == null) {
				value = parameter;
				list = List.class.equals(type) && !parameter.hasParameterAnnotation(Payload.class);
			}
			else {
				throw new InvalidHealingListenerException(listenerId,
						"parameter '" + name(parameter) + "' of " + describe(method),
						"cannot be bound: only one parameter can receive the record's value",
						"Keep one value parameter and take anything else from a ConsumerRecord<K, V>, "
								+ "Headers or @Header parameter.");
			}
		}
		this.batch = list;
		if (this.batch && perRecord) {
			throw new InvalidHealingListenerException(listenerId, "method " + describe(method),
					"takes a List (a batch) and a per-record parameter",
					"A batch method takes only the List; use List<ConsumerRecord<K, V>> to see records.");
		}
		if (this.batch && this.suspending) {
			throw new InvalidHealingListenerException(listenerId, "method " + describe(method),
					"is a Kotlin suspend fun taking a batch, which is not supported",
					"Make the batch method a plain fun returning a Mono or a CompletableFuture, or take one record.");
		}
		this.batchOfRecords = this.batch && value != null && ConsumerRecord.class
			.equals(ResolvableType.forMethodParameter(value).getGeneric(0).resolve());
		this.payload = value;
		this.payloadType = (value != null) ? payloadType(value) : null;
		this.payloadRequired = value != null && required(value);
		this.takesStages = stages;
		this.takesAcknowledgment = acknowledgment;
		boolean completesLater = AsyncResults.completesLater(listenerId, method);
		if (acknowledgment && completesLater) {
			throw new InvalidHealingListenerException(listenerId, "method " + describe(method),
					"takes an Acknowledgment and returns " + method.getReturnType().getSimpleName()
							+ ", two completions for one record (the stage's failure would be lost, a Mono never run)",
					"Complete the record one way: either acknowledge or return a completion, not both.");
		}
		this.returnsStage = completesLater || acknowledgment;
		ReflectionUtils.makeAccessible(method);
		this.handlerMethod = this.batch ? null : binding.factory().createInvocableHandlerMethod(bean, method);
	}

	/**
	 * Invoke the method for a record.
	 * @param record the record
	 * @param stages the stages object for a {@link Stages} parameter, if the method takes one
	 * @return what the method returned: a {@link CompletionStage} when {@link #returnsStage()}, which completes when
	 * the record's processing completes; otherwise the (possibly null) value, and the record is complete
	 * @throws Throwable what the method threw, unwrapped
	 */
	@Nullable Object invoke(ConsumerRecord<?, ?> record, @Nullable Stages stages) throws Throwable {
		InvocableHandlerMethod handler = this.handlerMethod;
		if (handler == null) {
			throw new IllegalStateException("a batch method is invoked with invokeBatch");
		}
		if (record.value() == null && this.payloadRequired) {
			throw new PoisonPillException.MissingValue(this.listenerId, record);
		}
		CompletingAcknowledgment acknowledgment = this.takesAcknowledgment
				? new CompletingAcknowledgment(this.listenerId, PoisonPillException.coordinates(record)) : null;
		Message<?> message = toMessage(record, acknowledgment);
		Object result;
		try {
			result = handler.invoke(message, record, record.headers(), stages, acknowledgment);
		}
		catch (Exception ex) {
			throw bindingFailure(record, ex);
		}
		if (acknowledgment != null) {
			return acknowledgment.completion();
		}
		return checked(result);
	}

	/**
	 * Invoke a batch method.
	 * @param elements the batch as the method receives it (values or records, see {@link #batchElements})
	 * @return as {@link #invoke}
	 * @throws Throwable what the method threw, unwrapped
	 */
	@Nullable Object invokeBatch(List<?> elements) throws Throwable {
		try {
			return checked(this.method.invoke(this.bean, elements));
		}
		catch (InvocationTargetException ex) {
			throw ex.getTargetException();
		}
	}

	private @Nullable Object checked(@Nullable Object result) {
		if (this.returnsStage && result == null) {
			throw new IllegalStateException("@HealingListener '" + this.listenerId
					+ "' returned a null CompletionStage; return a completed one instead");
		}
		return result;
	}

	private Message<?> toMessage(ConsumerRecord<?, ?> record, @Nullable Acknowledgment acknowledgment) {
		String groupId = this.binding.groupId();
		if (groupId != null) {
			KafkaUtils.setConsumerGroupId(groupId);
		}
		try {
			return this.binding.converter().toMessage(record, acknowledgment, null, this.payloadType);
		}
		catch (RuntimeException ex) {
			throw new PoisonPillException.Unconvertible(this.listenerId, record, payloadDescription(), ex);
		}
		finally {
			if (groupId != null) {
				KafkaUtils.clearConsumerGroupId();
			}
		}
	}

	/** A failure to resolve an argument is the record's fault; what the method itself threw is passed on. */
	private Exception bindingFailure(ConsumerRecord<?, ?> record, Exception failure) {
		if (thrownByTheMethod(failure)) {
			return failure;
		}
		if (failure instanceof MethodArgumentNotValidException invalid && invalid.getBindingResult() != null) {
			return new PoisonPillException.InvalidPayload(this.listenerId, record,
					violations(invalid.getBindingResult().getAllErrors()), failure);
		}
		if (failure instanceof MethodArgumentResolutionException || failure instanceof MessageConversionException
				|| failure instanceof ConversionException) {
			Class<?> expected = payloadClass();
			Object value = record.value();
			MethodParameter failed = failedParameter(failure);
			if (expected != null && value != null && !expected.isInstance(value)
					&& (failed == null || failed.equals(this.payload))) {
				return new PoisonPillException.WrongValueType(this.listenerId, record, expected, value.getClass(),
						failure);
			}
			return new PoisonPillException.Unconvertible(this.listenerId, record,
					(failed != null) ? "parameter '" + name(failed) + "' of " + describe(this.method)
							: payloadDescription(),
					failure);
		}
		return failure;
	}

	private boolean thrownByTheMethod(Throwable failure) {
		for (StackTraceElement frame : failure.getStackTrace()) {
			if (frame.getMethodName().equals(this.method.getName())
					&& frame.getClassName().equals(this.method.getDeclaringClass().getName())) {
				return true;
			}
		}
		return false;
	}

	/** The parameter a resolver failed on, when the exception tells. */
	private static @Nullable MethodParameter failedParameter(Exception failure) {
		if (failure instanceof MethodArgumentResolutionException resolution) {
			return resolution.getMethodParameter();
		}
		// a header resolver converts to a descriptor of the parameter itself
		if (failure instanceof ConversionFailedException conversion
				&& conversion.getTargetType().getSource() instanceof MethodParameter parameter) {
			return parameter;
		}
		return null;
	}

	private static String violations(List<ObjectError> errors) {
		List<String> lines = new ArrayList<>(errors.size());
		for (ObjectError error : errors) {
			if (error instanceof FieldError field) {
				lines.add(field.getField() + " " + field.getDefaultMessage() + " (was " + field.getRejectedValue()
						+ ")");
			}
			else {
				lines.add(error.getObjectName() + " " + error.getDefaultMessage());
			}
		}
		return String.join("; ", lines);
	}

	/**
	 * The elements a batch method receives for these records: the records themselves, or their values.
	 * @param records the batch's records
	 * @return one element per record, in the same order
	 */
	List<Object> batchElements(List<? extends ConsumerRecord<?, ?>> records) {
		List<Object> elements = new ArrayList<>(records.size());
		for (ConsumerRecord<?, ?> record : records) {
			elements.add(this.batchOfRecords ? record : record.value());
		}
		return elements;
	}

	/** {@return whether the method returns nothing, so that its input is the best picture of what the stage handled} */
	public boolean returnsVoid() {
		return this.method.getReturnType() == void.class;
	}

	/** {@return whether the method takes a batch ({@code List}) instead of one record} */
	public boolean isBatch() {
		return this.batch;
	}

	/**
	 * Whether the record completes later: the method returns a {@link CompletionStage} or a {@code Mono}, is a Kotlin
	 * {@code suspend} fun ({@link AsyncResults}), or takes an {@link Acknowledgment}.
	 * @return whether the record completes after the method returned
	 */
	public boolean returnsStage() {
		return this.returnsStage;
	}

	/**
	 * The class the record's value is converted to for the method, as spring-kafka infers it: the type of the
	 * {@code @Payload} or unannotated value parameter, {@code T} of a {@code Message<T>}.
	 * @return the class, or {@code null} for a batch method, a method without value parameter or a
	 * {@code Message<?>}
	 */
	public @Nullable Class<?> payloadClass() {
		if (this.batch || this.payloadType == null) {
			return null;
		}
		Class<?> resolved = ResolvableType.forType(this.payloadType).resolve();
		return (resolved != null) ? ClassUtils.resolvePrimitiveIfNecessary(resolved) : null;
	}

	/** {@return the value parameter, for messages: {@code parameter 'order' of OrderListener.on()}} */
	public String payloadDescription() {
		MethodParameter value = this.payload;
		return (value != null) ? "parameter '" + name(value) + "' of " + describe(this.method)
				: "method " + describe(this.method);
	}

	/** Whether the method takes a {@link Stages} parameter. */
	boolean takesStages() {
		return this.takesStages;
	}

	/** The method's name: the stage name of the listener as a whole. */
	String methodName() {
		return this.method.getName();
	}

	private static boolean resolvedByApplication(ListenerBinding binding, MethodParameter parameter) {
		for (HandlerMethodArgumentResolver resolver : binding.customResolvers()) {
			if (resolver.supportsParameter(parameter)) {
				return true;
			}
		}
		return false;
	}

	/** As spring-kafka infers it: the parameter's type, {@code T} of {@code Message<T>}, none for a bare message. */
	private static @Nullable Type payloadType(MethodParameter parameter) {
		Type type = parameter.getGenericParameterType();
		if (type instanceof ParameterizedType parameterized && parameterized.getRawType().equals(Message.class)) {
			Type argument = parameterized.getActualTypeArguments()[0];
			return (argument instanceof WildcardType) ? null : argument;
		}
		return Message.class.equals(type) ? null : type;
	}

	/** A tombstone is refused unless the value parameter is {@code @Nullable} or {@code @Payload(required = false)}. */
	private static boolean required(MethodParameter parameter) {
		if (Message.class.isAssignableFrom(parameter.getParameterType())) {
			return false;
		}
		Payload annotation = parameter.getParameterAnnotation(Payload.class);
		if (annotation != null && !annotation.required()) {
			return false;
		}
		return parameter.getParameterType().isPrimitive() || !HandlerMethodFactories.isNullable(parameter);
	}

	private static String name(MethodParameter parameter) {
		String name = parameter.getParameter().getName();
		return (name != null) ? name : "#" + parameter.getParameterIndex();
	}

	/**
	 * Names a method the way log lines and failure reports do.
	 * @param method the method
	 * @return {@code SimpleClassName.method()}
	 */
	public static String describe(Method method) {
		return method.getDeclaringClass().getSimpleName() + "." + method.getName() + "()";
	}

}
