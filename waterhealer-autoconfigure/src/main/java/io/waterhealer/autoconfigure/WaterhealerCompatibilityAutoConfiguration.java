package io.waterhealer.autoconfigure;

import java.util.List;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;

/**
 * Refuses to start on a classpath waterhealer cannot run on (see {@link SupportedVersions}), before any bean is
 * created. It is its own auto-configuration, conditioned on nothing but {@code waterhealer.enabled}, because the
 * main one is skipped silently when spring-kafka is missing ({@code @ConditionalOnClass}), which would leave every
 * {@code @HealingListener} unregistered without a word.
 */
@AutoConfiguration(before = WaterhealerAutoConfiguration.class)
@ConditionalOnBooleanProperty(name = "waterhealer.enabled", matchIfMissing = true)
public final class WaterhealerCompatibilityAutoConfiguration {

	@Bean
	static BeanFactoryPostProcessor waterhealerVersionCheck() {
		return new VersionCheck();
	}

	/**
	 * Runs the check once the bean definitions are known and before any is instantiated: a failure here stops the
	 * start before a consumer is created.
	 */
	static final class VersionCheck implements BeanFactoryPostProcessor, Ordered {

		private static final Log logger = LogFactory.getLog(WaterhealerCompatibilityAutoConfiguration.class);

		@Override
		public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {
			ClassLoader classLoader = beanFactory.getBeanClassLoader();
			SupportedVersions versions = SupportedVersions.detect(SpringBootVersion.getVersion(),
					(classLoader != null) ? classLoader : SupportedVersions.class.getClassLoader());
			List<String> problems = versions.problems();
			if (!problems.isEmpty()) {
				throw new UnsupportedVersionsException(problems);
			}
			List<String> untested = versions.untested();
			if (!untested.isEmpty()) {
				logger.warn("waterhealer has not been tested with " + String.join(", ", untested)
						+ "; it should work, and a failure that looks like a version mismatch is worth reporting");
			}
		}

		@Override
		public int getOrder() {
			return Ordered.HIGHEST_PRECEDENCE;
		}

	}

}
