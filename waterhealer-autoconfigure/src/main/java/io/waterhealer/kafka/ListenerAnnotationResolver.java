package io.waterhealer.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

import io.waterhealer.FailurePolicy;
import io.waterhealer.HealingListener;
import io.waterhealer.InvalidHealingListenerException;
import io.waterhealer.kafka.HealingListenerAnnotationBeanPostProcessor.AnnotatedListenerMethod;
import io.waterhealer.settings.BatchSettings;
import io.waterhealer.settings.FailureSettings;
import io.waterhealer.settings.ListenerSettings;
import io.waterhealer.settings.RateLimit;
import io.waterhealer.settings.RetryTiers;
import io.waterhealer.settings.SettingChecks;
import io.waterhealer.settings.SettingName;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.util.StringUtils;

/**
 * Reads one {@link HealingListener} annotation: resolves the placeholders of its attributes and turns them into
 * settings, an attribute left empty taking the {@code waterhealer.*} default. Every value goes through its check in
 * {@link SettingChecks} under the listener's id and the attribute's name, so that the start-up stops with the
 * annotation to fix.
 * <p>
 * Methods are called in the order the registrar needs the values, which is also the order wrong attributes are
 * reported in.
 */
final class ListenerAnnotationResolver {

	private static final String DEFAULT_CONTAINER_FACTORY = "kafkaListenerContainerFactory";

	private final ConfigurableBeanFactory beanFactory;

	private final ListenerSettings defaults;

	private final Supplier<@Nullable KafkaTemplate<?, ?>> templates;

	/**
	 * Create the resolver.
	 * @param beanFactory to resolve placeholders
	 * @param defaults settings for attributes the annotation leaves empty (the id is ignored)
	 * @param templates the template dead letters are published with, if there is one
	 */
	ListenerAnnotationResolver(ConfigurableBeanFactory beanFactory, ListenerSettings defaults,
			Supplier<@Nullable KafkaTemplate<?, ?>> templates) {
		this.beanFactory = beanFactory;
		this.defaults = defaults;
		this.templates = templates;
	}

	/**
	 * The listener's id: the {@code id} attribute, or the bean name and method name.
	 * @param listener the annotated method
	 * @return the id
	 */
	String id(AnnotatedListenerMethod listener) {
		String id = resolve(listener.annotation().id());
		return StringUtils.hasText(id) ? id : listener.defaultId();
	}

	/**
	 * The listener's settings.
	 * @param id the listener id
	 * @param annotation the annotation
	 * @return the checked settings
	 */
	ListenerSettings settings(String id, HealingListener annotation) {
		int parallelism = count(id, "parallelism", "waterhealer.listener.parallelism", annotation.parallelism(),
				this.defaults.parallelism());
		int concurrency = count(id, "concurrency", "waterhealer.listener.concurrency", annotation.concurrency(),
				this.defaults.concurrency());
		return new ListenerSettings(id, parallelism,
				SettingChecks.oneOf(SettingName.attribute(id, "ordering"), annotation.ordering(),
						this.defaults.ordering()),
				concurrency, this.defaults.maxInFlight(), this.defaults.maxSpan(), this.defaults.commitInterval(),
				this.defaults.drainTimeout(), this.defaults.metadataMaxChars(), failure(id, annotation),
				flag(id, "debug", annotation.debug(), this.defaults.debug()), batch(id, annotation),
				completionTimeout(id, annotation))
			.withRate(rate(id, annotation));
	}

	/**
	 * The topics the listener consumes: every entry of {@code topics} after placeholder resolution, split at commas.
	 * @param id the listener id
	 * @param annotation the annotation
	 * @return at least one topic
	 */
	List<String> topics(String id, HealingListener annotation) {
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

	/**
	 * The name of the container factory bean the listener runs in.
	 * @param annotation the annotation
	 * @return the {@code containerFactory} attribute, or Spring Boot's default factory
	 */
	String containerFactoryName(HealingListener annotation) {
		String name = resolve(annotation.containerFactory());
		return StringUtils.hasText(name) ? name : DEFAULT_CONTAINER_FACTORY;
	}

	/**
	 * The consumer group the annotation names.
	 * @param annotation the annotation
	 * @return the group, or {@code null} when the attribute is empty
	 */
	@Nullable String groupId(HealingListener annotation) {
		return emptyToNull(resolve(annotation.groupId()));
	}

	/**
	 * Whether the container starts with the context, if the annotation says.
	 * @param id the listener id
	 * @param annotation the annotation
	 * @return the switch, or {@code null} for the container factory's own
	 */
	@Nullable Boolean autoStartup(String id, HealingListener annotation) {
		String resolved = resolve(annotation.autoStartup());
		if (!StringUtils.hasText(resolved)) {
			return null;
		}
		return SettingChecks.bool(SettingName.attribute(id, "autoStartup", "or leave it empty"), resolved);
	}

	private FailureSettings failure(String id, HealingListener annotation) {
		FailureSettings defaults = this.defaults.failure();
		FailurePolicy policy = SettingChecks.oneOf(SettingName.attribute(id, "failurePolicy"),
				annotation.failurePolicy(), defaults.policy());
		int maxAttempts = defaults.maxAttempts();
		String attempts = resolve(annotation.maxAttempts());
		if (StringUtils.hasText(attempts)) {
			maxAttempts = SettingChecks.maxAttempts(SettingName.attribute(id, "maxAttempts"), attempts);
		}
		List<Class<? extends Throwable>> notRetryable = new ArrayList<>(defaults.notRetryable());
		notRetryable.addAll(Arrays.asList(annotation.notRetryable()));
		String deadLetterTopic = emptyToNull(resolve(annotation.deadLetterTopic()));
		if (policy == FailurePolicy.DEAD_LETTER && this.templates.get() == null) {
			throw new InvalidHealingListenerException(id, "failurePolicy",
					"is DEAD_LETTER but there is no KafkaTemplate to publish dead letters with",
					"Keep Spring Boot's Kafka auto-configuration (it defines kafkaTemplate) or define a KafkaTemplate "
							+ "bean, or choose HALT or SKIP.");
		}
		RetryTiers tiers = defaults.tiers();
		String retryTopics = resolve(annotation.retryTopics());
		if (StringUtils.hasText(retryTopics)) {
			tiers = SettingChecks.retryTiers(SettingName.attribute(id, "retryTopics"), retryTopics, tiers.suffix());
		}
		if (tiers.enabled() && this.templates.get() == null) {
			throw new InvalidHealingListenerException(id, "retryTopics",
					"names retry tiers but there is no KafkaTemplate whose producer configuration can publish to them",
					"Keep Spring Boot's Kafka auto-configuration (it defines kafkaTemplate) or define a KafkaTemplate "
							+ "bean, or leave retryTopics and waterhealer.retry.topics empty.");
		}
		return new FailureSettings(policy, maxAttempts, defaults.backOff(), List.copyOf(notRetryable),
				deadLetterTopic, defaults.deadLetterSuffix(), defaults.fatal(), defaults.stormThreshold(), tiers);
	}

	private BatchSettings batch(String id, HealingListener annotation) {
		BatchSettings defaults = this.defaults.batch();
		int size = count(id, "batchSize", "waterhealer.batch.size", annotation.batchSize(), defaults.size());
		String text = resolve(annotation.batchTimeout()).trim();
		SettingName timeout = SettingName.attribute(id, "batchTimeout",
				"or leave it empty for waterhealer.batch.timeout");
		return new BatchSettings(size,
				text.isEmpty() ? defaults.timeout() : SettingChecks.positive(timeout, text, DurationStyle::detectAndParse),
				flag(id, "checkLeakage", annotation.checkLeakage(), defaults.checkLeakage()));
	}

	private Duration completionTimeout(String id, HealingListener annotation) {
		String text = resolve(annotation.completionTimeout()).trim();
		if (text.isEmpty()) {
			return this.defaults.completionTimeout();
		}
		return SettingChecks.notNegative(SettingName.attribute(id, "completionTimeout",
				"or leave it empty for waterhealer.listener.completion-timeout"), text, DurationStyle::detectAndParse,
				"30s");
	}

	private RateLimit rate(String id, HealingListener annotation) {
		String text = resolve(annotation.rate()).trim();
		if (text.isEmpty()) {
			return this.defaults.rate();
		}
		return SettingChecks.rate(SettingName.attribute(id, "rate", "or leave it empty for waterhealer.listener.rate"),
				text);
	}

	/** A whole number of at least 1; empty means the default of {@code property}, which the message names. */
	private int count(String id, String attribute, String property, String value, int fallback) {
		String resolved = resolve(value);
		if (!StringUtils.hasText(resolved)) {
			return fallback;
		}
		return SettingChecks.atLeastOne(SettingName.attribute(id, attribute,
				"or leave it empty for the default from " + property), resolved);
	}

	private boolean flag(String id, String attribute, String value, boolean fallback) {
		String resolved = resolve(value).trim();
		if (resolved.isEmpty()) {
			return fallback;
		}
		return SettingChecks.bool(SettingName.attribute(id, attribute, "or leave it empty for the default"), resolved);
	}

	private String resolve(String value) {
		String resolved = this.beanFactory.resolveEmbeddedValue(value);
		return (resolved != null) ? resolved : "";
	}

	private static @Nullable String emptyToNull(String value) {
		return StringUtils.hasText(value) ? value : null;
	}

}
