package io.waterhealer.kafka;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Supplier;

import io.waterhealer.FailurePolicy;
import io.waterhealer.HealingListener;
import io.waterhealer.InvalidHealingListenerException;
import io.waterhealer.Ordering;
import io.waterhealer.PayloadSizeEstimator;
import io.waterhealer.checkpoint.CheckpointStore;
import io.waterhealer.kafka.HealingListenerAnnotationBeanPostProcessor.AnnotatedListenerMethod;
import io.waterhealer.kafka.worker.DeadLetterPublisher;
import io.waterhealer.kafka.worker.HandlerMethodInvoker;
import io.waterhealer.kafka.worker.RecordProcessor;
import io.waterhealer.metrics.ListenerMetrics;
import io.waterhealer.metrics.ListenerMetricsFactory;
import io.waterhealer.settings.BatchSettings;
import io.waterhealer.settings.FailureSettings;
import io.waterhealer.settings.ListenerSettings;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.kafka.annotation.KafkaListenerConfigurer;
import org.springframework.kafka.config.AbstractKafkaListenerContainerFactory;
import org.springframework.kafka.config.KafkaListenerContainerFactory;
import org.springframework.kafka.config.KafkaListenerEndpointRegistrar;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.util.StringUtils;

/**
 * Registers one spring-kafka endpoint per {@link HealingListener} method, with settings resolved from the
 * annotation over the {@code waterhealer.*} defaults, and stops their workers when the context closes (after the
 * containers have stopped and made their final commits).
 * <p>
 * Everything a user can get wrong is checked here, at startup, and reported with the listener, the setting and
 * the fix, so a misconfigured listener never starts consuming.
 */
public class HealingListenerRegistrar implements KafkaListenerConfigurer, DisposableBean {

	private static final String DEFAULT_CONTAINER_FACTORY = "kafkaListenerContainerFactory";

	private final HealingListenerAnnotationBeanPostProcessor annotations;

	private final ListenerSettings defaults;

	private final ConfigurableListableBeanFactory beanFactory;

	private final Supplier<@Nullable KafkaTemplate<?, ?>> templates;

	private Supplier<@Nullable ListenerMetricsFactory> metrics = () -> null;

	private Supplier<@Nullable PayloadSizeEstimator> sizes = () -> null;

	private Supplier<@Nullable CheckpointStore> checkpoints = () -> null;

	private final Map<String, ListenerRuntime> runtimes = new LinkedHashMap<>();

	/**
	 * Create the registrar.
	 * @param annotations the collected listener methods
	 * @param defaults settings for attributes the annotation leaves empty (the id is ignored)
	 * @param beanFactory to resolve placeholders and container factories
	 * @param templates the template dead letters are published with, if there is one
	 */
	private boolean virtualThreads;

	public HealingListenerRegistrar(HealingListenerAnnotationBeanPostProcessor annotations, ListenerSettings defaults,
			ConfigurableListableBeanFactory beanFactory, Supplier<@Nullable KafkaTemplate<?, ?>> templates) {
		this.annotations = annotations;
		this.defaults = defaults;
		this.beanFactory = beanFactory;
		this.templates = templates;
	}

	/**
	 * Report what listeners do through metrics, if a factory exists when the listeners are registered.
	 * @param metrics the metrics factory, if any
	 * @param sizes estimates payload sizes between stages, if a bean overrides the default
	 */
	public void setMetrics(Supplier<@Nullable ListenerMetricsFactory> metrics,
			Supplier<@Nullable PayloadSizeEstimator> sizes) {
		this.metrics = metrics;
		this.sizes = sizes;
	}

	/**
	 * Keep checkpoints of what stages produce, if a store exists when the listeners are registered.
	 * @param checkpoints the store, if any
	 */
	public void setCheckpoints(Supplier<@Nullable CheckpointStore> checkpoints) {
		this.checkpoints = checkpoints;
	}

	/**
	 * Run handlers on virtual threads (Java 21 and later): a handler that blocks on I/O then holds no platform
	 * thread, so {@code parallelism} can be set far above what platform threads allow. Set from Spring Boot's
	 * {@code spring.threads.virtual.enabled}, as Boot's own executors are.
	 * @param virtualThreads whether workers are virtual threads
	 */
	public void setVirtualThreads(boolean virtualThreads) {
		this.virtualThreads = virtualThreads;
	}

	@Override
	public void configureKafkaListeners(KafkaListenerEndpointRegistrar registrar) {
		CheckpointStore checkpointStore = this.checkpoints.get();
		ListenerMetricsFactory metricsFactory = this.metrics.get();
		PayloadSizeEstimator sizeEstimator = this.sizes.get();
		PayloadSizeEstimator payloadSizes = (sizeEstimator != null) ? sizeEstimator : PayloadSizeEstimator.DEFAULT;
		Map<String, AnnotatedListenerMethod> byId = new LinkedHashMap<>();
		for (AnnotatedListenerMethod listener : this.annotations.methods()) {
			HealingListener annotation = listener.annotation();
			String id = resolve(annotation.id());
			if (!StringUtils.hasText(id)) {
				id = listener.defaultId();
			}
			AnnotatedListenerMethod duplicate = byId.put(id, listener);
			if (duplicate != null) {
				throw new InvalidHealingListenerException(id, "id",
						"is used by both " + HandlerMethodInvoker.describe(duplicate.method()) + " and "
								+ HandlerMethodInvoker.describe(listener.method()),
						"Give each @HealingListener its own id.");
			}
			ListenerSettings settings = settings(id, annotation);
			List<String> topics = topics(id, annotation);
			HandlerMethodInvoker invoker = new HandlerMethodInvoker(id, listener.bean(), listener.method());
			if (settings.batch().checkLeakage() && invoker.isBatch()
					&& (invoker.returnsVoid() || invoker.returnsStage())) {
				throw new InvalidHealingListenerException(id, "checkLeakage",
						"is true but " + HandlerMethodInvoker.describe(listener.method())
								+ " returns no collection to check",
						"Return the processed elements (a List or other Collection), or turn the check off.");
			}
			KafkaListenerContainerFactory<?> factory = containerFactory(id, annotation);
			Map<String, Object> consumerConfig = consumerConfig(factory);
			rejectAutoCommit(id, consumerConfig);
			ListenerMetrics listenerMetrics = (metricsFactory != null) ? metricsFactory.forListener(id)
					: ListenerMetrics.NONE;
			ListenerRuntime runtime = new ListenerRuntime(settings, new RecordProcessor(settings, invoker,
					deadLetterPublisher(settings), listenerMetrics, payloadSizes, checkpointStore, this.virtualThreads),
					listenerMetrics);
			this.runtimes.put(id, runtime);
			String groupId = emptyToNull(resolve(annotation.groupId()));
			if (groupId == null && consumerConfig.get(ConsumerConfig.GROUP_ID_CONFIG) == null) {
				groupId = id;
			}
			Properties consumerProperties = PoisonPillDeserializers.wrap(id, consumerConfig,
					hasDeserializerInstances(factory));
			OffsetResetDefault.apply(id, consumerConfig, consumerProperties);
			HealingListenerEndpoint endpoint = new HealingListenerEndpoint(settings, topics, groupId,
					autoStartup(id, annotation), runtime, consumerProperties);
			registrar.registerEndpoint(endpoint, factory);
		}
	}

	/**
	 * The runtime of every registered listener, by id.
	 * @return the runtimes
	 */
	public Map<String, ListenerView> runtimes() {
		return Map.copyOf(this.runtimes);
	}

	@Override
	public void destroy() {
		this.runtimes.values().forEach(ListenerRuntime::shutdown);
	}

	private ListenerSettings settings(String id, HealingListener annotation) {
		int parallelism = positiveInt(id, "parallelism", annotation.parallelism(), this.defaults.parallelism());
		int concurrency = positiveInt(id, "concurrency", annotation.concurrency(), this.defaults.concurrency());
		Ordering[] ordering = annotation.ordering();
		if (ordering.length > 1) {
			throw new InvalidHealingListenerException(id, "ordering", "names " + Arrays.toString(ordering),
					"Choose one of KEY, PARTITION or UNORDERED.");
		}
		return new ListenerSettings(id, parallelism, (ordering.length == 1) ? ordering[0] : this.defaults.ordering(),
				concurrency, this.defaults.maxInFlight(), this.defaults.maxSpan(), this.defaults.commitInterval(),
				this.defaults.drainTimeout(), this.defaults.metadataMaxChars(), failure(id, annotation),
				flag(id, "debug", annotation.debug(), this.defaults.debug()), batch(id, annotation));
	}

	private FailureSettings failure(String id, HealingListener annotation) {
		FailureSettings defaults = this.defaults.failure();
		FailurePolicy[] policy = annotation.failurePolicy();
		if (policy.length > 1) {
			throw new InvalidHealingListenerException(id, "failurePolicy", "names " + Arrays.toString(policy),
					"Choose one of HALT, DEAD_LETTER or SKIP.");
		}
		int maxAttempts = defaults.maxAttempts();
		String attempts = resolve(annotation.maxAttempts());
		if (StringUtils.hasText(attempts)) {
			maxAttempts = parseMaxAttempts(attempts.trim(), () -> new InvalidHealingListenerException(id, "maxAttempts",
					"is '" + attempts + "'", "Set it to a whole number of at least 1, or -1 for unlimited."));
		}
		List<Class<? extends Throwable>> notRetryable = new ArrayList<>(defaults.notRetryable());
		notRetryable.addAll(Arrays.asList(annotation.notRetryable()));
		String deadLetterTopic = emptyToNull(resolve(annotation.deadLetterTopic()));
		FailurePolicy resolved = (policy.length == 1) ? policy[0] : defaults.policy();
		if (resolved == FailurePolicy.DEAD_LETTER && this.templates.get() == null) {
			throw new InvalidHealingListenerException(id, "failurePolicy",
					"is DEAD_LETTER but there is no KafkaTemplate to publish dead letters with",
					"Keep Spring Boot's Kafka auto-configuration (it defines kafkaTemplate) or define a KafkaTemplate "
							+ "bean, or choose HALT or SKIP.");
		}
		return new FailureSettings(resolved, maxAttempts, defaults.backOff(), List.copyOf(notRetryable),
				deadLetterTopic, defaults.deadLetterSuffix(), defaults.fatal());
	}

	/**
	 * Parse a maximum number of attempts: at least 1, or -1 for unlimited.
	 * @param value the text
	 * @param error the exception to throw when it is neither
	 * @return the number
	 */
	public static int parseMaxAttempts(String value, java.util.function.Supplier<RuntimeException> error) {
		try {
			int parsed = Integer.parseInt(value);
			if (parsed >= 1 || parsed == FailureSettings.UNLIMITED) {
				return parsed;
			}
		}
		catch (NumberFormatException ex) {
			// reported below
		}
		throw error.get();
	}

	private @Nullable DeadLetterPublisher deadLetterPublisher(ListenerSettings settings) {
		if (settings.failure().policy() != FailurePolicy.DEAD_LETTER) {
			return null;
		}
		KafkaTemplate<?, ?> template = this.templates.get();
		if (template == null) {
			return null;
		}
		KafkaTemplate<?, ?> bytesTemplate = new KafkaTemplate<>(template.getProducerFactory(),
				Map.of(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class));
		return new DeadLetterPublisher(settings.id(), template, bytesTemplate, settings.failure()::deadLetterTopicFor);
	}

	private static boolean hasDeserializerInstances(KafkaListenerContainerFactory<?> factory) {
		if (factory instanceof AbstractKafkaListenerContainerFactory<?, ?, ?> abstractFactory
				&& abstractFactory.getConsumerFactory() instanceof DefaultKafkaConsumerFactory<?, ?> consumerFactory) {
			return consumerFactory.getKeyDeserializer() != null || consumerFactory.getValueDeserializer() != null;
		}
		return false;
	}

	private List<String> topics(String id, HealingListener annotation) {
		List<String> topics = new ArrayList<>();
		for (String topic : annotation.topics()) {
			String resolved = resolve(topic);
			for (String name : StringUtils.commaDelimitedListToStringArray(resolved)) {
				if (StringUtils.hasText(name)) {
					topics.add(name.trim());
				}
			}
		}
		if (topics.isEmpty()) {
			throw new InvalidHealingListenerException(id, "topics", "is empty",
					"Name at least one topic, e.g. @HealingListener(topics = \"orders\").");
		}
		return topics;
	}

	private int positiveInt(String id, String attribute, String value, int fallback) {
		String resolved = resolve(value);
		if (!StringUtils.hasText(resolved)) {
			return fallback;
		}
		try {
			int parsed = Integer.parseInt(resolved.trim());
			if (parsed >= 1) {
				return parsed;
			}
		}
		catch (NumberFormatException ex) {
			// reported below
		}
		throw new InvalidHealingListenerException(id, attribute, "is '" + resolved + "'",
				"Set it to a whole number of at least 1, or leave it empty for the default from waterhealer.listener."
						+ attribute + ".");
	}

	private BatchSettings batch(String id, HealingListener annotation) {
		BatchSettings defaults = this.defaults.batch();
		int size = positiveInt(id, "batchSize", annotation.batchSize(), defaults.size());
		java.time.Duration timeout = defaults.timeout();
		String text = resolve(annotation.batchTimeout()).trim();
		if (!text.isEmpty()) {
			try {
				timeout = org.springframework.boot.convert.DurationStyle.detectAndParse(text);
			}
			catch (IllegalArgumentException ex) {
				timeout = java.time.Duration.ZERO;
			}
			if (timeout.isZero() || timeout.isNegative()) {
				throw new InvalidHealingListenerException(id, "batchTimeout", "is '" + text + "'",
						"Set a positive duration such as 500ms or 2s, or leave it empty for waterhealer.batch.timeout.");
			}
		}
		return new BatchSettings(size, timeout,
				flag(id, "checkLeakage", annotation.checkLeakage(), defaults.checkLeakage()));
	}

	private boolean flag(String id, String attribute, String value, boolean fallback) {
		String resolved = resolve(value).trim();
		if (resolved.isEmpty()) {
			return fallback;
		}
		if ("true".equalsIgnoreCase(resolved) || "false".equalsIgnoreCase(resolved)) {
			return Boolean.parseBoolean(resolved);
		}
		throw new InvalidHealingListenerException(id, attribute, "is '" + resolved + "'",
				"Set it to true or false, or leave it empty for the default.");
	}

	private @Nullable Boolean autoStartup(String id, HealingListener annotation) {
		String resolved = resolve(annotation.autoStartup());
		if (!StringUtils.hasText(resolved)) {
			return null;
		}
		if ("true".equalsIgnoreCase(resolved.trim()) || "false".equalsIgnoreCase(resolved.trim())) {
			return Boolean.valueOf(resolved.trim());
		}
		throw new InvalidHealingListenerException(id, "autoStartup", "is '" + resolved + "'",
				"Set it to true or false, or leave it empty.");
	}

	private KafkaListenerContainerFactory<?> containerFactory(String id, HealingListener annotation) {
		String name = resolve(annotation.containerFactory());
		if (!StringUtils.hasText(name)) {
			name = DEFAULT_CONTAINER_FACTORY;
		}
		if (!this.beanFactory.containsBean(name)) {
			throw new InvalidHealingListenerException(id, "containerFactory", "names '" + name + "', no such bean",
					"Define a KafkaListenerContainerFactory bean of that name (Spring Boot's Kafka auto-configuration "
							+ "defines kafkaListenerContainerFactory), or name one in containerFactory.");
		}
		return this.beanFactory.getBean(name, KafkaListenerContainerFactory.class);
	}

	private static Map<String, Object> consumerConfig(KafkaListenerContainerFactory<?> factory) {
		if (factory instanceof AbstractKafkaListenerContainerFactory<?, ?, ?> abstractFactory
				&& abstractFactory.getConsumerFactory() != null) {
			return abstractFactory.getConsumerFactory().getConfigurationProperties();
		}
		return Map.of();
	}

	private static void rejectAutoCommit(String id, Map<String, Object> consumerConfig) {
		Object autoCommit = consumerConfig.get(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG);
		if (autoCommit != null && Boolean.parseBoolean(autoCommit.toString())) {
			throw new InvalidHealingListenerException(id,
					"spring.kafka.consumer.enable-auto-commit (enable.auto.commit)",
					"is true, but Kafka's auto-commit commits every polled record, including records still being "
							+ "processed and records that failed",
					"Remove the property or set it to false: waterhealer commits only up to the lowest record "
							+ "not yet processed successfully.");
		}
	}

	private String resolve(String value) {
		String resolved = this.beanFactory.resolveEmbeddedValue(value);
		return (resolved != null) ? resolved : "";
	}

	private static @Nullable String emptyToNull(String value) {
		return StringUtils.hasText(value) ? value : null;
	}

}
