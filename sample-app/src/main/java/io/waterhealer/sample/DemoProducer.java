package io.waterhealer.sample;

import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/**
 * Publishes made-up payments once the application is ready, so that the sample has something to process. Turn it
 * off with {@code sample.demo.enabled=false} when the payments come from elsewhere.
 * <p>
 * It publishes on its own thread, paced to {@code sample.demo.rate}, so that start-up is not held up and the
 * progress report shows records flowing rather than one burst.
 */
@Component
@ConditionalOnBooleanProperty(name = "sample.demo.enabled", matchIfMissing = true)
public class DemoProducer implements DisposableBean {

	private static final Log logger = LogFactory.getLog(DemoProducer.class);

	private static final String[] CURRENCIES = { "EUR", "USD", "GBP" };

	private final KafkaTemplate<String, String> template;

	private final JsonMapper jsonMapper;

	private final String topic;

	private final SampleProperties.Demo demo;

	private final AtomicLong failedSends = new AtomicLong();

	private volatile @Nullable Thread thread;

	private volatile boolean running = true;

	public DemoProducer(KafkaTemplate<String, String> template, JsonMapper jsonMapper, SampleProperties properties) {
		this.template = template;
		this.jsonMapper = jsonMapper;
		this.topic = properties.topic();
		this.demo = properties.demo();
	}

	@EventListener(ApplicationReadyEvent.class)
	void start() {
		Thread producer = new Thread(this::publish, "demo-producer");
		producer.setDaemon(true);
		this.thread = producer;
		producer.start();
	}

	private void publish() {
		int records = this.demo.records();
		logger.info(String.format(Locale.ROOT, "Publishing %,d demo payments over %,d accounts to '%s'%s", records,
				this.demo.accounts(), this.topic,
				(this.demo.rate() > 0) ? String.format(Locale.ROOT, " at %,d/s", this.demo.rate()) : ""));
		long[] sequences = new long[this.demo.accounts()];
		long start = System.nanoTime();
		int sent = 0;
		try {
			while (sent < records && pace(start, sent)) {
				int account = ThreadLocalRandom.current().nextInt(sequences.length);
				Payment payment = new Payment(String.format(Locale.ROOT, "pay-%06d", sent + 1),
						String.format(Locale.ROOT, "acct-%03d", account),
						ThreadLocalRandom.current().nextLong(100, 100_000), CURRENCIES[account % CURRENCIES.length],
						++sequences[account]);
				this.template.send(this.topic, payment.account(), this.jsonMapper.writeValueAsString(payment))
					.whenComplete((result, ex) -> {
						if (ex != null) {
							this.failedSends.incrementAndGet();
						}
					});
				sent++;
			}
			this.template.flush();
		}
		catch (RuntimeException ex) {
			// Sends interrupted by shutdown fail one way or another; only failures while running are errors.
			if (this.running) {
				throw ex;
			}
		}
		long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
		if (!this.running) {
			logger.info(String.format(Locale.ROOT, "Stopped publishing demo payments after %,d", sent));
		}
		else if (this.failedSends.get() > 0) {
			logger.warn(String.format(Locale.ROOT, "Published %,d demo payments in %,d ms, but %,d sends failed",
					sent, millis, this.failedSends.get()));
		}
		else {
			logger.info(String.format(Locale.ROOT, "Published %,d demo payments in %,d ms", sent, millis));
		}
	}

	/**
	 * Wait until payment {@code index} is due at the configured rate.
	 * @return whether to go on publishing: false once the application is stopping
	 */
	private boolean pace(long start, int index) {
		long wait = (this.demo.rate() > 0)
				? start + TimeUnit.SECONDS.toNanos(index) / this.demo.rate() - System.nanoTime() : 0;
		if (wait > 0) {
			try {
				TimeUnit.NANOSECONDS.sleep(wait);
			}
			catch (InterruptedException ex) {
				this.running = false;
			}
		}
		return this.running;
	}

	/** Stop publishing before the Kafka producer is closed, so that shutdown does not race a send. */
	@Override
	public void destroy() throws InterruptedException {
		this.running = false;
		Thread producer = this.thread;
		if (producer != null) {
			producer.interrupt();
			producer.join(TimeUnit.SECONDS.toMillis(5));
		}
	}

}
