package io.waterhealer.autoconfigure.compat;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;

/**
 * The smallest application with waterhealer's auto-configurations, started in a JVM of its own on a classpath the
 * test trims (see {@code UnsupportedClasspathIntegrationTests}).
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class CompatibilityApplication {

	public static void main(String[] args) {
		SpringApplication.run(CompatibilityApplication.class, args);
	}

}
