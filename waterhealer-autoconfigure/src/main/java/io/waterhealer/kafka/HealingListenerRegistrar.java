package io.waterhealer.kafka;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

import io.waterhealer.FailurePolicy;
import io.waterhealer.HealingListener;
import io.waterhealer.InvalidHealingListenerException;
import io.waterhealer.Ordering;
import io.waterhealer.PayloadSizeEstimator;
import io.waterhealer.checkpoint.CheckpointStore;
import io.waterhealer.kafka.ContainerFactoryInspector.InspectedContainerFactory;
import io.waterhealer.kafka.HealingListenerAnnotationBeanPostProcessor.AnnotatedListenerMethod;
import io.waterhealer.kafka.worker.AttemptObserver;
import io.waterhealer.kafka.worker.DeadLetterPublisher;
import io.waterhealer.kafka.worker.HandlerMethodInvoker;
import io.waterhealer.kafka.worker.OriginalRecords;
import io.waterhealer.kafka.worker.RecordProcessor;
import io.waterhealer.kafka.worker.RetryTierPublisher;
import io.waterhealer.metrics.ListenerMetrics;
import io.waterhealer.metrics.ListenerMetricsFactory;
import io.waterhealer.metrics.WaterhealerMeter;
import io.waterhealer.settings.ListenerSettings;
import io.waterhealer.settings.RetryTiers;
import io.waterhealer.settings.RetryTiers.Tier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.core.log.LogAccessor;
import org.springframework.kafka.annotation.KafkaListenerConfigurer;
import org.springframework.kafka.config.KafkaListenerEndpointRegistrar;
import org.springframework.kafka.core.KafkaTemplate;

/**
 * Registers one spring-kafka endpoint per {@link HealingListener} method, with settings resolved from the
 * annotation over the {@code waterhealer.*} defaults, and stops their workers when the context closes (after the
 * containers have stopped and made their final commits).
 * <p>
 * Everything a user can get wrong is checked at startup, before the first endpoint is registered with spring-kafka,
 * and reported with the listener, the setting and the fix, so a misconfigured listener never starts consuming: the
 * attributes by {@link ListenerAnnotationResolver}, the container factory by {@link ContainerFactoryInspector}, the
 * method by {@link HandlerMethodInvoker} (bound as {@code @KafkaListener} methods are, see {@link ListenerBindings}),
 * its value parameter against the value deserializer by {@link ContainerFactoryInspector}, and the rest (ids, what a
 * batch method returns) here.
 */
public class HealingListenerRegistrar implements KafkaListenerConfigurer, DisposableBean {

	private static final LogAccessor logger = new LogAccessor(HealingListenerRegistrar.class);

	private final HealingListenerAnnotationBeanPostProcessor annotations;

	private final ListenerAnnotationResolver resolver;

	private final ContainerFactoryInspector containerFactories;

	private final Supplier<@Nullable KafkaTemplate<?, ?>> templates;

	private final ListenerBindings bindings;

	private Supplier<@Nullable ListenerMetricsFactory> metrics = () -> null;

	private Supplier<@Nullable PayloadSizeEstimator> sizes = () -> null;

	private Supplier<@Nullable CheckpointStore> checkpoints = () -> null;

	private Supplier<AttemptObserver.@Nullable Factory> observers = () -> null;

	private boolean virtualThreads;

	private final Map<String, ListenerRuntime> runtimes = new LinkedHashMap<>();

	private final List<OriginalRecords> originals = new ArrayList<>();

	private final Map<String, DeadLetterRoute> deadLetterRoutes = new LinkedHashMap<>();

	private final RetryTierResources tierResources = new RetryTierResources();

	private Consumer<KafkaTemplate<?, ?>> templateCustomizer = (template) -> {
	};

	/**
	 * Create the registrar.
	 * @param annotations the collected listener methods
	 * @param defaults settings for attributes the annotation leaves empty (the id is ignored)
	 * @param beanFactory to resolve placeholders and container factories
	 * @param templates the template dead letters are published with, if there is one
	 */
	public HealingListenerRegistrar(HealingListenerAnnotationBeanPostProcessor annotations, ListenerSettings defaults,
			ConfigurableListableBeanFactory beanFactory, Supplier<@Nullable KafkaTemplate<?, ?>> templates) {
		this.annotations = annotations;
		this.resolver = new ListenerAnnotationResolver(beanFactory, defaults, templates);
		this.containerFactories = new ContainerFactoryInspector(beanFactory);
		this.templates = templates;
		this.bindings = new ListenerBindings(beanFactory);
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
	 * Observe (trace) every attempt at a record on the worker thread that runs it, if an observer exists when the
	 * listeners are registered.
	 * @param observers makes each listener's observer, if any
	 */
	public void setObservation(Supplier<AttemptObserver.@Nullable Factory> observers) {
		this.observers = observers;
	}

	/**
	 * Configure the byte-array templates made from the application's {@code KafkaTemplate} for dead letters as the
	 * application's own is (observation on or off, the registry): a dead letter's send is then traced like any other.
	 * @param customizer applied to each template made here
	 */
	public void setTemplateCustomizer(Consumer<KafkaTemplate<?, ?>> customizer) {
		this.templateCustomizer = customizer;
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
		AttemptObserver.Factory observer = this.observers.get();
		AttemptObserver.Factory attemptObservers = (observer != null) ? observer : AttemptObserver.Factory.NONE;
		Map<String, AnnotatedListenerMethod> byId = new LinkedHashMap<>();
		for (AnnotatedListenerMethod listener : this.annotations.methods()) {
			HealingListener annotation = listener.annotation();
			String id = this.resolver.id(listener);
			AnnotatedListenerMethod duplicate = byId.put(id, listener);
			if (duplicate != null) {
				throw new InvalidHealingListenerException(id, "id",
						"is used by both " + HandlerMethodInvoker.describe(duplicate.method()) + " and "
								+ HandlerMethodInvoker.describe(listener.method()),
						"Give each @HealingListener its own id.");
			}
			ListenerSettings settings = this.resolver.settings(id, annotation);
			List<String> topics = this.resolver.topics(id, annotation);
			InspectedContainerFactory factory = this.containerFactories.inspect(id,
					this.resolver.containerFactoryName(annotation));
			Map<String, Object> consumerConfig = factory.consumerConfig();
			String groupId = this.resolver.groupId(annotation);
			if (groupId == null && consumerConfig.get(ConsumerConfig.GROUP_ID_CONFIG) == null) {
				groupId = id;
			}
			HandlerMethodInvoker invoker = new HandlerMethodInvoker(id, listener.bean(), listener.method(),
					this.bindings.binding(registrar, factory,
							(groupId != null) ? groupId : (String) consumerConfig.get(ConsumerConfig.GROUP_ID_CONFIG)));
			this.containerFactories.checkValueType(id, factory, invoker.payloadClass(), invoker.payloadDescription());
			if (settings.batch().checkLeakage() && invoker.isBatch()
					&& (invoker.returnsVoid() || invoker.returnsStage())) {
				throw new InvalidHealingListenerException(id, "checkLeakage",
						"is true but " + HandlerMethodInvoker.describe(listener.method())
								+ " returns no collection to check",
						"Return the processed elements (a List or other Collection), or turn the check off.");
			}
			RetryTiers tiers = settings.failure().tiers();
			Map<String, Tier> tierTopics = RetryTierResources.tierTopics(tiers, topics);
			Function<String, String> tierOfTopic = (topic) -> {
				Tier tier = tierTopics.get(topic);
				return (tier != null) ? tier.name() : WaterhealerMeter.Tags.MAIN_TIER;
			};
			RetryTierPublisher tierPublisher = null;
			if (tiers.enabled()) {
				tierPublisher = this.tierResources.publisher(id, tiers, tierTopics, consumerConfig,
						Objects.requireNonNull(this.templates.get(), "checked by the resolver"));
				if (settings.ordering() == Ordering.KEY) {
					logger.info(() -> "@HealingListener '" + id + "' has ordering KEY and retry tiers " + tierTopics
						.keySet() + ": a record sent to a tier leaves its key's order, and later records of its key "
							+ "are processed before it");
				}
			}
			ListenerMetrics listenerMetrics = (metricsFactory != null)
					? metricsFactory.forListener(id, tierOfTopic) : ListenerMetrics.NONE;
			Properties consumerProperties = PoisonPillDeserializers.wrap(id, consumerConfig,
					factory.hasDeserializerInstances());
			DeadLetterPublisher deadLetters = deadLetterPublisher(settings, topics, groupId, consumerConfig,
					consumerProperties);
			ListenerRuntime runtime = new ListenerRuntime(settings, new RecordProcessor(settings, invoker,
					deadLetters, tierPublisher, listenerMetrics, payloadSizes, checkpointStore, this.virtualThreads,
					attemptObservers), listenerMetrics);
			this.runtimes.put(id, runtime);
			OffsetResetDefault.apply(id, consumerConfig, consumerProperties);
			Boolean autoStartup = this.resolver.autoStartup(id, annotation);
			HealingListenerEndpoint endpoint = new HealingListenerEndpoint(settings, topics, groupId, autoStartup,
					runtime, consumerProperties);
			endpoint.setAttemptsObserved(observer != null);
			registrar.registerEndpoint(endpoint, factory.factory());
			if (tierPublisher != null) {
				// the same method consumes the tiers, from a container of its own: its partitions are held (paused)
				// for minutes at a time, and its polls are short so that a record is handed out soon after it is due
				ListenerRuntime tierRuntime = new ListenerRuntime(settings,
						new RecordProcessor(settings, invoker, deadLetters, tierPublisher,
								listenerMetrics, payloadSizes, checkpointStore, this.virtualThreads, attemptObservers),
						listenerMetrics, new RetryTierHold(tierOfTopic, listenerMetrics));
				this.runtimes.put(id + RetryTierResources.ENDPOINT_SUFFIX, tierRuntime);
				Properties tierProperties = new Properties();
				tierProperties.putAll(consumerProperties);
				tierProperties.setProperty(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG,
						Integer.toString(RetryTierHold.FETCH_MAX_WAIT_MILLIS));
				HealingListenerEndpoint tierEndpoint = new HealingListenerEndpoint(settings,
						List.copyOf(tierTopics.keySet()), groupId, autoStartup, tierRuntime, tierProperties);
				tierEndpoint.forRetryTiers(id + RetryTierResources.ENDPOINT_SUFFIX, RetryTierHold.POLL_TIMEOUT_MILLIS);
				tierEndpoint.setAttemptsObserved(observer != null);
				registrar.registerEndpoint(tierEndpoint, factory.factory());
			}
		}
	}

	/**
	 * The runtime of every registered listener, by id.
	 * @return the runtimes
	 */
	public Map<String, ListenerView> runtimes() {
		return Map.copyOf(this.runtimes);
	}

	/**
	 * Where the dead letters of every DEAD_LETTER listener go, by id, for the {@code deadletters} endpoint.
	 * @return the routes
	 */
	public Map<String, DeadLetterRoute> deadLetterRoutes() {
		return Map.copyOf(this.deadLetterRoutes);
	}

	@Override
	public void destroy() {
		this.runtimes.values().forEach(ListenerRuntime::shutdown);
		this.originals.forEach(OriginalRecords::close);
		this.tierResources.close();
	}

	/**
	 * The dead-letter publisher of a DEAD_LETTER listener: it reads each record again as the broker holds it, with a
	 * consumer of the listener's configuration (its factory's, with the endpoint's overrides), and publishes its
	 * bytes through a template that writes byte arrays.
	 */
	private @Nullable DeadLetterPublisher deadLetterPublisher(ListenerSettings settings, List<String> topics,
			@Nullable String groupId, Map<String, Object> consumerConfig, Properties consumerProperties) {
		if (settings.failure().policy() != FailurePolicy.DEAD_LETTER) {
			return null;
		}
		KafkaTemplate<?, ?> template = this.templates.get();
		if (template == null) {
			return null;
		}
		KafkaTemplate<?, ?> bytesTemplate = new KafkaTemplate<>(template.getProducerFactory(),
				Map.of(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class));
		KafkaTemplate<?, ?> rawTemplate = new KafkaTemplate<>(template.getProducerFactory(),
				Map.of(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
						ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class));
		this.templateCustomizer.accept(bytesTemplate);
		this.templateCustomizer.accept(rawTemplate);
		Map<String, Object> readerConfig = new LinkedHashMap<>(consumerConfig);
		consumerProperties.stringPropertyNames()
			.forEach((name) -> readerConfig.put(name, consumerProperties.getProperty(name)));
		OriginalRecords reader = OriginalRecords.forListener(settings.id(), "dead-letter-originals", readerConfig);
		this.originals.add(reader);
		String group = (groupId != null) ? groupId : (String) consumerConfig.get(ConsumerConfig.GROUP_ID_CONFIG);
		this.deadLetterRoutes.put(settings.id(),
				new DeadLetterRoute(topics.stream().map(settings.failure()::deadLetterTopicFor).distinct().toList(),
						(group != null) ? group : settings.id(), Collections.unmodifiableMap(readerConfig),
						Collections.unmodifiableMap(
								new LinkedHashMap<>(template.getProducerFactory().getConfigurationProperties()))));
		return new DeadLetterPublisher(settings.id(), template, bytesTemplate, rawTemplate,
				settings.failure()::deadLetterTopicFor, reader);
	}

	/**
	 * Where one listener's dead letters go and how to reach them.
	 * @param deadLetterTopics its dead-letter topics
	 * @param groupId its consumer group
	 * @param consumerConfig its consumers' configuration
	 * @param producerConfig the configuration of the producer its dead letters are published with
	 */
	public record DeadLetterRoute(List<String> deadLetterTopics, String groupId, Map<String, Object> consumerConfig,
			Map<String, Object> producerConfig) {
	}

}
