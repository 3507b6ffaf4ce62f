package io.waterhealer.kafka;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.waterhealer.FailurePolicy;
import io.waterhealer.HealingListener;
import io.waterhealer.InvalidHealingListenerException;
import io.waterhealer.Ordering;
import io.waterhealer.kafka.HealingListenerAnnotationBeanPostProcessor.AnnotatedListenerMethod;
import io.waterhealer.settings.BatchSettings;
import io.waterhealer.settings.FailureSettings;
import io.waterhealer.settings.ListenerSettings;
import io.waterhealer.settings.RateLimit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Annotation attributes, after placeholder resolution, become settings over the {@code waterhealer.*} defaults, and
 * a wrong one is reported with the listener, the attribute and the fix, in the words the registrar used before the
 * resolution moved out of it (the expected messages are copied from there).
 */
class ListenerAnnotationResolverTests {

	private static final ListenerSettings DEFAULTS = new ListenerSettings("*", 16, Ordering.KEY, 1, 1000, 2000,
			Duration.ofSeconds(1), Duration.ofSeconds(5), 4096, FailureSettings.DEFAULT, false,
			BatchSettings.DEFAULT);

	private final DefaultListableBeanFactory beanFactory = new DefaultListableBeanFactory();

	private @Nullable KafkaTemplate<?, ?> template;

	private final ListenerAnnotationResolver resolver = new ListenerAnnotationResolver(this.beanFactory, DEFAULTS,
			() -> this.template);

	ListenerAnnotationResolverTests() {
		StandardEnvironment environment = new StandardEnvironment();
		environment.getPropertySources()
			.addFirst(new MapPropertySource("test",
					Map.of("app.parallelism", " 8 ", "app.topics", "orders, payments,", "app.debug", " TRUE ")));
		this.beanFactory.addEmbeddedValueResolver(environment::resolvePlaceholders);
	}

	@Test
	void emptyAttributesTakeTheDefaults() {
		HealingListener annotation = annotation("defaults");
		ListenerSettings settings = this.resolver.settings("orders", annotation);
		assertThat(settings).isEqualTo(new ListenerSettings("orders", 16, Ordering.KEY, 1, 1000, 2000,
				Duration.ofSeconds(1), Duration.ofSeconds(5), 4096, FailureSettings.DEFAULT, false,
				BatchSettings.DEFAULT));
		assertThat(this.resolver.id(new AnnotatedListenerMethod("bean", this, method("defaults"), annotation)))
			.isEqualTo("bean.defaults");
		assertThat(this.resolver.containerFactoryName(annotation)).isEqualTo("kafkaListenerContainerFactory");
		assertThat(this.resolver.groupId(annotation)).isNull();
		assertThat(this.resolver.autoStartup("orders", annotation)).isNull();
	}

	@Test
	void attributesWinAfterTheirPlaceholdersAreResolved() {
		HealingListener annotation = annotation("everything");
		ListenerSettings settings = this.resolver.settings("orders", annotation);
		assertThat(settings.parallelism()).isEqualTo(8);
		assertThat(settings.concurrency()).isEqualTo(2);
		assertThat(settings.ordering()).isEqualTo(Ordering.UNORDERED);
		assertThat(settings.debug()).isTrue();
		assertThat(settings.failure().policy()).isEqualTo(FailurePolicy.SKIP);
		assertThat(settings.failure().maxAttempts()).isEqualTo(FailureSettings.UNLIMITED);
		assertThat(settings.failure().notRetryable()).containsExactly(IllegalStateException.class);
		assertThat(settings.failure().deadLetterTopicFor("orders")).isEqualTo("parked");
		assertThat(settings.batch()).isEqualTo(new BatchSettings(50, Duration.ofMillis(250), true));
		assertThat(settings.completionTimeout()).isEqualTo(Duration.ofSeconds(30));
		assertThat(this.resolver.settings("x", annotation("noCompletionTimeout")).completionTimeout()).isZero();
		assertThat(this.resolver.topics("orders", annotation)).containsExactly("orders", "payments");
		assertThat(this.resolver.id(new AnnotatedListenerMethod("bean", this, method("everything"), annotation)))
			.isEqualTo("named");
		assertThat(this.resolver.groupId(annotation)).isEqualTo("group");
		assertThat(this.resolver.containerFactoryName(annotation)).isEqualTo("otherFactory");
		assertThat(this.resolver.autoStartup("orders", annotation)).isFalse();
	}

	@Test
	void wrongCountsNameTheDefaultProperty() {
		assertRejected(() -> this.resolver.settings("x", annotation("zeroParallelism")),
				"@HealingListener 'x': parallelism is '0'. Set it to a whole number of at least 1, or leave it empty "
						+ "for the default from waterhealer.listener.parallelism.");
		assertRejected(() -> this.resolver.settings("x", annotation("wordConcurrency")),
				"@HealingListener 'x': concurrency is 'two'. Set it to a whole number of at least 1, or leave it empty "
						+ "for the default from waterhealer.listener.concurrency.");
		assertRejected(() -> this.resolver.settings("x", annotation("negativeBatchSize")),
				"@HealingListener 'x': batchSize is '-1'. Set it to a whole number of at least 1, or leave it empty "
						+ "for the default from waterhealer.batch.size.");
		assertRejected(() -> this.resolver.settings("x", annotation("zeroAttempts")),
				"@HealingListener 'x': maxAttempts is '0'. Set it to a whole number of at least 1, or -1 for unlimited.");
	}

	@Test
	void wrongChoicesAndSwitchesAreReported() {
		assertRejected(() -> this.resolver.settings("x", annotation("twoOrderings")),
				"@HealingListener 'x': ordering names [KEY, PARTITION]. Choose one of KEY, PARTITION or UNORDERED.");
		assertRejected(() -> this.resolver.settings("x", annotation("twoPolicies")),
				"@HealingListener 'x': failurePolicy names [HALT, SKIP]. Choose one of HALT, DEAD_LETTER or SKIP.");
		assertRejected(() -> this.resolver.settings("x", annotation("badTimeout")),
				"@HealingListener 'x': batchTimeout is 'soon'. Set a positive duration such as 500ms or 2s, or leave "
						+ "it empty for waterhealer.batch.timeout.");
		assertRejected(() -> this.resolver.settings("x", annotation("badCompletionTimeout")),
				"@HealingListener 'x': completionTimeout is '-1s'. Set zero (no limit) or a positive duration such as "
						+ "30s, or leave it empty for waterhealer.listener.completion-timeout.");
		assertRejected(() -> this.resolver.settings("x", annotation("wordCompletionTimeout")),
				"@HealingListener 'x': completionTimeout is 'later'. Set zero (no limit) or a positive duration such "
						+ "as 30s, or leave it empty for waterhealer.listener.completion-timeout.");
		assertRejected(() -> this.resolver.settings("x", annotation("badDebug")),
				"@HealingListener 'x': debug is 'yes'. Set it to true or false, or leave it empty for the default.");
		assertRejected(() -> this.resolver.settings("x", annotation("badLeakage")),
				"@HealingListener 'x': checkLeakage is '1'. Set it to true or false, or leave it empty for the default.");
		assertRejected(() -> this.resolver.autoStartup("x", annotation("badAutoStartup")),
				"@HealingListener 'x': autoStartup is ' on'. Set it to true or false, or leave it empty.");
		assertRejected(() -> this.resolver.topics("x", annotation("defaults")),
				"@HealingListener 'x': topics is empty. Name at least one topic, e.g. @HealingListener(topics = "
						+ "\"orders\").");
	}

	@Test
	void deadLettersNeedATemplate() {
		assertRejected(() -> this.resolver.settings("x", annotation("deadLetter")),
				"@HealingListener 'x': failurePolicy is DEAD_LETTER but there is no KafkaTemplate to publish dead "
						+ "letters with. Keep Spring Boot's Kafka auto-configuration (it defines kafkaTemplate) or define "
						+ "a KafkaTemplate bean, or choose HALT or SKIP.");
		this.template = new KafkaTemplate<>(new DefaultKafkaProducerFactory<>(Map.of()));
		assertThat(this.resolver.settings("x", annotation("deadLetter")).failure().policy())
			.isEqualTo(FailurePolicy.DEAD_LETTER);
	}

	@Test
	void theRateAttributeOverridesThePropertyAndUnlimitedLiftsIt() {
		ListenerAnnotationResolver limited = new ListenerAnnotationResolver(this.beanFactory,
				DEFAULTS.withRate(RateLimit.parse("500/s")), () -> this.template);
		assertThat(limited.settings("x", annotation("defaults")).rate()).hasToString("500/s");
		assertThat(limited.settings("x", annotation("slow")).rate()).hasToString("120/m");
		assertThat(limited.settings("x", annotation("unlimited")).rate().isUnlimited()).isTrue();
		assertThat(this.resolver.settings("x", annotation("defaults")).rate().isUnlimited()).isTrue();
		assertRejected(() -> this.resolver.settings("x", annotation("badRate")),
				"@HealingListener 'x': rate is '500 per second'. Write N/s, N/m or N/h with N a whole number of at "
						+ "least 1 (e.g. 500/s), or unlimited, or leave it empty for waterhealer.listener.rate.");
	}

	private static void assertRejected(ThrowingCallable resolution, String message) {
		assertThatExceptionOfType(InvalidHealingListenerException.class).isThrownBy(resolution).withMessage(message);
	}

	private static HealingListener annotation(String method) {
		return method(method).getAnnotation(HealingListener.class);
	}

	private static Method method(String name) {
		for (Method method : Listeners.class.getDeclaredMethods()) {
			if (method.getName().equals(name)) {
				return method;
			}
		}
		throw new IllegalArgumentException(name);
	}

	static class Listeners {

		@HealingListener
		void defaults(String value) {
		}

		@HealingListener(id = "named", topics = "${app.topics}", groupId = "group", parallelism = "${app.parallelism}",
				concurrency = "2", ordering = Ordering.UNORDERED, failurePolicy = FailurePolicy.SKIP,
				maxAttempts = " -1", notRetryable = IllegalStateException.class, deadLetterTopic = "parked",
				containerFactory = "otherFactory", batchSize = "50", batchTimeout = "250ms", checkLeakage = "true",
				completionTimeout = "30s", debug = "${app.debug}", autoStartup = "false")
		void everything(List<String> values) {
		}

		@HealingListener(parallelism = "0")
		void zeroParallelism(String value) {
		}

		@HealingListener(concurrency = "two")
		void wordConcurrency(String value) {
		}

		@HealingListener(batchSize = "-1")
		void negativeBatchSize(String value) {
		}

		@HealingListener(maxAttempts = "0")
		void zeroAttempts(String value) {
		}

		@HealingListener(ordering = { Ordering.KEY, Ordering.PARTITION })
		void twoOrderings(String value) {
		}

		@HealingListener(failurePolicy = { FailurePolicy.HALT, FailurePolicy.SKIP })
		void twoPolicies(String value) {
		}

		@HealingListener(batchTimeout = " soon ")
		void badTimeout(String value) {
		}

		@HealingListener(completionTimeout = "-1s")
		void badCompletionTimeout(String value) {
		}

		@HealingListener(completionTimeout = "later")
		void wordCompletionTimeout(String value) {
		}

		@HealingListener(completionTimeout = "0")
		void noCompletionTimeout(String value) {
		}

		@HealingListener(debug = "yes")
		void badDebug(String value) {
		}

		@HealingListener(checkLeakage = "1")
		void badLeakage(String value) {
		}

		@HealingListener(autoStartup = " on")
		void badAutoStartup(String value) {
		}

		@HealingListener(failurePolicy = FailurePolicy.DEAD_LETTER)
		void deadLetter(String value) {
		}

		@HealingListener(rate = " 120/m ")
		void slow(String value) {
		}

		@HealingListener(rate = "unlimited")
		void unlimited(String value) {
		}

		@HealingListener(rate = "500 per second")
		void badRate(String value) {
		}

	}

}
