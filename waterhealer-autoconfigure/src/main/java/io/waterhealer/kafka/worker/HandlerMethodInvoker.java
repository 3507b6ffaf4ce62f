package io.waterhealer.kafka.worker;

import java.lang.annotation.Annotation;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletionStage;

import io.waterhealer.InvalidHealingListenerException;
import io.waterhealer.Stages;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Headers;
import org.jspecify.annotations.Nullable;

import org.springframework.core.CoroutinesUtils;
import org.springframework.core.KotlinDetector;
import org.springframework.core.ResolvableType;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Calls a {@code @HealingListener} method for one record: a normal return means the record is complete, a
 * returned {@link CompletionStage} completes it later, a thrown exception fails it.
 * <p>
 * Arguments are bound once, at startup, by parameter type: {@link ConsumerRecord}, {@link Headers}, {@link Stages},
 * and at most one other parameter that receives the record's value as produced by the configured value deserializer. Binding per
 * record is then a switch over a small array, which keeps the per-record cost near a plain method call.
 */
public final class HandlerMethodInvoker {

	private enum Binding {

		RECORD, HEADERS, STAGES, VALUE, BATCH

	}

	private final String listenerId;

	private final Object bean;

	private final Method method;

	private final Binding[] bindings;

	private final @Nullable Class<?> valueType;

	private final boolean valueNullable;

	private final boolean takesStages;

	private final boolean batch;

	private final boolean batchOfRecords;

	private final boolean returnsStage;

	private final boolean suspending;

	public HandlerMethodInvoker(String listenerId, Object bean, Method method) {
		this.listenerId = listenerId;
		this.bean = bean;
		this.method = method;
		this.suspending = KotlinDetector.isSuspendingFunction(method);
		Parameter[] parameters = parametersOf(method, this.suspending);
		if (parameters.length == 0) {
			throw new InvalidHealingListenerException(listenerId, "method " + describe(method),
					"takes no parameter",
					"Add a parameter for the record's value, or a ConsumerRecord<K, V> parameter.");
		}
		this.bindings = new Binding[parameters.length];
		Class<?> value = null;
		boolean nullable = false;
		boolean stages = false;
		boolean batchOfRecords = false;
		for (int i = 0; i < parameters.length; i++) {
			Class<?> type = parameters[i].getType();
			if (ConsumerRecord.class.equals(type)) {
				this.bindings[i] = Binding.RECORD;
			}
			else if (Headers.class.equals(type)) {
				this.bindings[i] = Binding.HEADERS;
			}
			else if (Stages.class.equals(type)) {
				this.bindings[i] = Binding.STAGES;
				stages = true;
			}
			else if (value == null && List.class.equals(type)) {
				this.bindings[i] = Binding.BATCH;
				value = List.class;
				batchOfRecords = ConsumerRecord.class.equals(ResolvableType.forMethodParameter(method, i)
					.getGeneric(0)
					.resolve());
			}
			else if (value == null) {
				this.bindings[i] = Binding.VALUE;
				value = ClassUtils.resolvePrimitiveIfNecessary(type);
				nullable = !type.isPrimitive() && isNullable(parameters[i]);
			}
			else {
				throw new InvalidHealingListenerException(listenerId,
						"parameter '" + parameters[i].getName() + "' of " + describe(method),
						"cannot be bound: only one parameter can receive the record's value",
						"Keep one value parameter and take anything else from a ConsumerRecord<K, V> "
								+ "or Headers parameter.");
			}
		}
		this.valueType = value;
		this.valueNullable = nullable;
		this.takesStages = stages;
		this.batch = value == List.class;
		this.batchOfRecords = batchOfRecords;
		if (this.batch) {
			for (Binding binding : this.bindings) {
				if (binding == Binding.RECORD || binding == Binding.HEADERS || binding == Binding.STAGES) {
					throw new InvalidHealingListenerException(listenerId, "method " + describe(method),
							"takes a List (a batch) and a per-record parameter",
							"A batch method takes only the List; use List<ConsumerRecord<K, V>> to see records.");
				}
			}
		}
		this.returnsStage = AsyncResults.completesLater(listenerId, method);
		ReflectionUtils.makeAccessible(method);
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
		Object[] args = new Object[this.bindings.length];
		for (int i = 0; i < args.length; i++) {
			switch (this.bindings[i]) {
				case RECORD -> args[i] = record;
				case HEADERS -> args[i] = record.headers();
				case STAGES -> args[i] = stages;
				case VALUE -> args[i] = value(record);
				case BATCH -> throw new IllegalStateException("a batch method is invoked with invokeBatch");
			}
		}
		return call(args);
	}

	/**
	 * Invoke a batch method.
	 * @param elements the batch as the method receives it (values or records, see {@link #batchElements})
	 * @return as {@link #invoke}
	 * @throws Throwable what the method threw, unwrapped
	 */
	@Nullable Object invokeBatch(List<?> elements) throws Throwable {
		return call(new Object[] { elements });
	}

	private @Nullable Object call(Object[] args) throws Throwable {
		Object result;
		try {
			result = this.suspending ? CoroutinesUtils.invokeSuspendingFunction(this.method, this.bean, args)
					: this.method.invoke(this.bean, args);
		}
		catch (InvocationTargetException ex) {
			throw ex.getTargetException();
		}
		if (this.returnsStage && result == null) {
			throw new IllegalStateException("@HealingListener '" + this.listenerId
					+ "' returned a null CompletionStage; return a completed one instead");
		}
		return result;
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

	/** Whether the method returns nothing, so that its input is the best picture of what the stage handled. */
	public boolean returnsVoid() {
		return this.method.getReturnType() == void.class;
	}

	/** Whether the method takes a batch ({@code List}) instead of one record. */
	public boolean isBatch() {
		return this.batch;
	}

	/**
	 * Whether the method returns a {@link CompletionStage} or a {@code Mono} (or is a Kotlin {@code suspend} fun),
	 * which completes the record when it completes ({@link AsyncResults}).
	 */
	public boolean returnsStage() {
		return this.returnsStage;
	}

	/** Whether the method takes a {@link Stages} parameter. */
	boolean takesStages() {
		return this.takesStages;
	}

	/** The method's name: the stage name of the listener as a whole. */
	String methodName() {
		return this.method.getName();
	}

	private @Nullable Object value(ConsumerRecord<?, ?> record) {
		Object value = record.value();
		Class<?> type = this.valueType;
		if (value == null && !this.valueNullable) {
			throw new PoisonPillException.MissingValue(this.listenerId, record);
		}
		if (value != null && type != null && !type.isInstance(value)) {
			throw new PoisonPillException.WrongValueType(this.listenerId, record, type, value.getClass());
		}
		return value;
	}

	/**
	 * The parameters to bind: a Kotlin {@code suspend} fun's last one is the {@code Continuation} the compiler adds,
	 * which Spring's {@link CoroutinesUtils} supplies. (Minimal suspend support until spring-messaging's
	 * {@code InvocableHandlerMethod}, which does the same, calls listener methods.)
	 */
	private static Parameter[] parametersOf(Method method, boolean suspending) {
		Parameter[] parameters = method.getParameters();
		return suspending ? Arrays.copyOf(parameters, parameters.length - 1) : parameters;
	}

	/** Any annotation called {@code Nullable} (JSpecify, Spring, JSR-305, ...) lets tombstones through. */
	private static boolean isNullable(Parameter parameter) {
		for (Annotation annotation : parameter.getAnnotations()) {
			if ("Nullable".equals(annotation.annotationType().getSimpleName())) {
				return true;
			}
		}
		for (Annotation annotation : parameter.getAnnotatedType().getAnnotations()) {
			if ("Nullable".equals(annotation.annotationType().getSimpleName())) {
				return true;
			}
		}
		return false;
	}

	public static String describe(Method method) {
		return method.getDeclaringClass().getSimpleName() + "." + method.getName() + "()";
	}

}
