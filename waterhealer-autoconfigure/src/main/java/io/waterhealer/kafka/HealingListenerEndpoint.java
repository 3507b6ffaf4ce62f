package io.waterhealer.kafka;

import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.regex.Pattern;

import io.waterhealer.settings.ListenerSettings;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.jspecify.annotations.Nullable;

import org.springframework.core.log.LogAccessor;
import org.springframework.kafka.config.ContainerPostProcessor;
import org.springframework.kafka.config.KafkaListenerEndpoint;
import org.springframework.kafka.listener.AbstractMessageListenerContainer;
import org.springframework.kafka.listener.BatchInterceptor;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.ContainerProperties.AckMode;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.kafka.support.TopicPartitionOffset;
import org.springframework.kafka.support.converter.MessageConverter;

/**
 * The spring-kafka endpoint of one {@code @HealingListener}. Any listener container factory creates its
 * container like any other (so {@code spring.kafka.listener.*}, customizers and interceptors apply); this endpoint
 * then installs the ledger's listener, poll hook, rebalance listener and error handler, and enforces the settings the
 * ledger depends on: manual acknowledgement and an error handler that never acknowledges, so that the container
 * never commits on its own, and no auto-commit (a consumer property of the endpoint, so that it wins over the
 * consumer factory's configuration).
 */
final class HealingListenerEndpoint implements KafkaListenerEndpoint {

	private static final LogAccessor logger = new LogAccessor(HealingListenerEndpoint.class);

	/**
	 * The longest a consumer waits in an empty poll. Commits are made between polls, so this bounds how long the
	 * last completions of a burst wait for their commit; an idle consumer polling ten times a second costs nothing
	 * the broker notices (fetches are long polls of their own).
	 */
	static final long MAX_POLL_TIMEOUT_MILLIS = 100;

	private final ListenerSettings settings;

	private final List<String> topics;

	private final @Nullable String groupId;

	private final @Nullable Boolean autoStartup;

	private final ListenerRuntime runtime;

	private final Properties consumerProperties;

	private boolean attemptsObserved;

	private String id;

	private long longestPollMillis = MAX_POLL_TIMEOUT_MILLIS;

	HealingListenerEndpoint(ListenerSettings settings, List<String> topics, @Nullable String groupId,
			@Nullable Boolean autoStartup, ListenerRuntime runtime, Properties consumerProperties) {
		this.settings = settings;
		this.topics = topics;
		this.groupId = groupId;
		this.autoStartup = autoStartup;
		this.runtime = runtime;
		this.consumerProperties = consumerProperties;
		this.id = settings.id();
	}

	/**
	 * Make this the endpoint of a listener's retry tiers: a container id of its own beside the listener's, and a
	 * shorter longest poll, so that a tier partition whose head came due is resumed within that time.
	 * @param endpointId the container id
	 * @param longestPoll the longest poll, milliseconds
	 */
	void forRetryTiers(String endpointId, long longestPoll) {
		this.id = endpointId;
		this.longestPollMillis = longestPoll;
	}

	@Override
	public String getId() {
		return this.id;
	}

	@Override
	public @Nullable String getGroupId() {
		return this.groupId;
	}

	@Override
	public @Nullable String getGroup() {
		return null;
	}

	@Override
	public Collection<String> getTopics() {
		return this.topics;
	}

	@Override
	public TopicPartitionOffset @Nullable [] getTopicPartitionsToAssign() {
		return null;
	}

	@Override
	public @Nullable Pattern getTopicPattern() {
		return null;
	}

	@Override
	public @Nullable String getClientIdPrefix() {
		return null;
	}

	@Override
	public Integer getConcurrency() {
		return this.settings.concurrency();
	}

	@Override
	public @Nullable Boolean getAutoStartup() {
		return this.autoStartup;
	}

	@Override
	public Properties getConsumerProperties() {
		Properties properties = new Properties();
		properties.putAll(this.consumerProperties);
		properties.setProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
		return properties;
	}

	@Override
	public Boolean getBatchListener() {
		return Boolean.TRUE;
	}

	@Override
	public boolean isSplitIterables() {
		return false;
	}

	@Override
	public void setupListenerContainer(MessageListenerContainer listenerContainer,
			@Nullable MessageConverter messageConverter) {
		this.runtime.bind(listenerContainer);
		listenerContainer.setupMessageListener(new LedgerBatchListener(this.runtime));
	}

	/**
	 * Whether waterhealer observes each record attempt (spring-kafka's listener observation on the worker thread).
	 * The container's own {@code spring.kafka.listener} timer is then turned off, as spring-kafka turns it off for a
	 * record listener it observes: it would time only the hand-out, and, registered first under the same name with
	 * other tag keys, it makes Prometheus refuse the observations' timer.
	 * @param attemptsObserved whether attempts are observed
	 */
	void setAttemptsObserved(boolean attemptsObserved) {
		this.attemptsObserved = attemptsObserved;
	}

	@Override
	public ContainerPostProcessor<Object, Object, AbstractMessageListenerContainer<Object, Object>> getContainerPostProcessor() {
		return this::enforceLedgerSettings;
	}

	/**
	 * A transaction of the container would only span the hand-out on the consumer thread (handlers run on workers,
	 * outside it), and spring-kafka sends offsets to it on its own: one past a poll's last records after any error
	 * handling, and for a whole poll an early batch interceptor dropped. Either passes records still in flight.
	 */
	private void withoutTransactions(ContainerProperties properties) {
		if (properties.getKafkaAwareTransactionManager() != null || properties.getTransactionManager() != null) {
			logger.info(() -> "@HealingListener '" + this.settings.id() + "' runs its container without the "
					+ "transaction manager of its container factory: the ledger commits offsets, not transactions");
			properties.setKafkaAwareTransactionManager(null);
			properties.setTransactionManager(null);
		}
	}

	private void enforceLedgerSettings(AbstractMessageListenerContainer<Object, Object> container) {
		ContainerProperties properties = container.getContainerProperties();
		properties.setAckMode(AckMode.MANUAL);
		properties.setAsyncAcks(false);
		withoutTransactions(properties);
		if (this.attemptsObserved) {
			properties.setMicrometerEnabled(false);
		}
		long longestPoll = Math.min(this.longestPollMillis, this.settings.commitInterval().toMillis());
		if (properties.getPollTimeout() > longestPoll) {
			properties.setPollTimeout(Math.max(1, longestPoll));
		}
		properties.setConsumerRebalanceListener(
				new LedgerRebalanceListener(this.runtime, properties.getConsumerRebalanceListener()));
		BatchInterceptor<Object, Object> existing = container.getBatchInterceptor();
		container.setBatchInterceptor(new LedgerPollHook(this.runtime, existing));
		container.setCommonErrorHandler(new LedgerErrorHandler(this.runtime, container.getCommonErrorHandler()));
	}


}
