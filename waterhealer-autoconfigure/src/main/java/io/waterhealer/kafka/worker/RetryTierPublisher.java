package io.waterhealer.kafka.worker;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.waterhealer.settings.RetryTiers;
import io.waterhealer.settings.RetryTiers.Tier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.jspecify.annotations.Nullable;

/**
 * Parks a record that used up its attempts on the next retry tier: it is read again as bytes by its coordinates (see
 * {@link OriginalRecords} for why not the deserialized object) and published with its own key, value and headers,
 * plus the {@link RetryTierHeaders}: original coordinates, attempts so far, first failure, last exception, the tier
 * and when it is due.
 * <p>
 * Publishing waits for the broker's acknowledgement, so the record is completed in the ledger (and its partition
 * committed past it) only once it is safely on the tier; a record that cannot be published stays incomplete and the
 * caller tries again.
 */
public final class RetryTierPublisher {

	private static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);

	private final RetryTiers tiers;

	private final Map<String, Tier> tierOfTopic;

	private final OriginalRecords reader;

	private final Producer<byte[], byte[]> producer;

	/**
	 * Create a publisher.
	 * @param tiers the listener's tiers
	 * @param tierOfTopic the tier of each tier topic the listener consumes
	 * @param reader reads a record again as bytes
	 * @param producer sends byte-array records
	 */
	public RetryTierPublisher(RetryTiers tiers, Map<String, Tier> tierOfTopic, OriginalRecords reader,
			Producer<byte[], byte[]> producer) {
		this.tiers = tiers;
		this.tierOfTopic = Map.copyOf(tierOfTopic);
		this.reader = reader;
		this.producer = producer;
	}

	/**
	 * The tier a record goes to after its attempts on its present topic.
	 * @param record a record of the listener
	 * @return the next tier, or {@code null} when the record is on the last one (the failure policy applies)
	 */
	@Nullable Tier next(ConsumerRecord<?, ?> record) {
		Tier current = this.tierOfTopic.get(record.topic());
		int next = (current != null) ? current.index() + 1 : 0;
		return (next < this.tiers.tiers().size()) ? this.tiers.tiers().get(next) : null;
	}

	/**
	 * The tier a record was consumed from.
	 * @param topic the record's topic
	 * @return its tier, or {@code null} for the listener's own topics
	 */
	public @Nullable Tier tierOf(String topic) {
		return this.tierOfTopic.get(topic);
	}

	/**
	 * The topic a record came from before any tier.
	 * @param record a record
	 * @return its original topic
	 */
	public static String originalTopic(ConsumerRecord<?, ?> record) {
		String original = RetryTierHeaders.text(record.headers(), RetryTierHeaders.ORIGINAL_TOPIC);
		return (original != null) ? original : record.topic();
	}

	/**
	 * Publish a record to a tier and wait for the broker's acknowledgement.
	 * @param record the record that used up its attempts
	 * @param tier the tier to publish it to
	 * @param failure its last failure
	 * @param attempts attempts made on its present topic
	 * @param firstFailureMillis when it failed first on its present topic, epoch milliseconds
	 * @return the tier's topic
	 * @throws RuntimeException if it could not be published; the record must then stay incomplete
	 */
	String publish(ConsumerRecord<?, ?> record, Tier tier, Throwable failure, int attempts, long firstFailureMillis) {
		ConsumerRecord<byte[], byte[]> raw = this.reader.read(record.topic(), record.partition(), record.offset());
		if (raw == null) {
			// retried with the back-off like any failed publish: the record stays incomplete, so nothing is lost
			throw new IllegalStateException(record.topic() + "-" + record.partition() + "@" + record.offset()
					+ " could not be read again as bytes (no longer on the topic, or the broker did not answer in time)");
		}
		Headers on = raw.headers();
		String originalTopic = originalTopic(raw);
		Headers headers = new RecordHeaders();
		for (Header header : on) {
			if (!RetryTierHeaders.isTierHeader(header.key())) {
				headers.add(header);
			}
		}
		long now = System.currentTimeMillis();
		Throwable root = FailureHandler.rootCause(failure);
		add(headers, RetryTierHeaders.ORIGINAL_TOPIC, originalTopic);
		add(headers, RetryTierHeaders.ORIGINAL_PARTITION,
				Long.toString(RetryTierHeaders.number(on, RetryTierHeaders.ORIGINAL_PARTITION, raw.partition())));
		add(headers, RetryTierHeaders.ORIGINAL_OFFSET,
				Long.toString(RetryTierHeaders.number(on, RetryTierHeaders.ORIGINAL_OFFSET, raw.offset())));
		add(headers, RetryTierHeaders.ATTEMPTS,
				Long.toString(RetryTierHeaders.number(on, RetryTierHeaders.ATTEMPTS, 0) + attempts));
		add(headers, RetryTierHeaders.FIRST_FAILURE,
				Long.toString(RetryTierHeaders.number(on, RetryTierHeaders.FIRST_FAILURE, firstFailureMillis)));
		add(headers, RetryTierHeaders.EXCEPTION, root.getClass().getName() + ": " + root.getMessage());
		add(headers, RetryTierHeaders.DUE, Long.toString(now + tier.delay().toMillis()));
		add(headers, RetryTierHeaders.TIER, tier.name());
		String topic = this.tiers.topic(originalTopic, tier);
		try {
			this.producer.send(new ProducerRecord<>(topic, null, null, raw.key(), raw.value(), headers))
				.get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted while publishing to " + topic, ex);
		}
		catch (ExecutionException | TimeoutException ex) {
			throw new IllegalStateException("could not publish to " + topic + ": " + ex.getMessage(), ex);
		}
		return topic;
	}

	private static void add(Headers headers, String name, String value) {
		headers.add(name, value.getBytes(StandardCharsets.UTF_8));
	}

}
