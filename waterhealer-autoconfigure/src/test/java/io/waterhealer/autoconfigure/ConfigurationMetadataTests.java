package io.waterhealer.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The configuration metadata IDEs show (generated from the javadoc of {@link WaterhealerProperties} plus
 * {@code additional-spring-configuration-metadata.json}) must describe every property, state the defaults the code
 * really uses, and the README's properties table must list every property.
 */
class ConfigurationMetadataTests {

	@Test
	void everyPropertyHasADescriptionAndADefault() throws IOException {
		for (Map<String, Object> property : properties()) {
			assertThat((String) property.get("description")).as((String) property.get("name")).isNotBlank();
			assertThat(property).as(property.get("name") + " default").containsKey("defaultValue");
		}
	}

	@Test
	void documentedDefaultsBindToTheDefaultsInCode() throws IOException {
		Map<String, Object> documented = new java.util.HashMap<>();
		for (Map<String, Object> property : properties()) {
			Object value = property.get("defaultValue");
			if (value instanceof List<?> list) {
				value = String.join(",", list.stream().map(String::valueOf).toList());
			}
			documented.put((String) property.get("name"), String.valueOf(value));
		}
		WaterhealerProperties bound = new Binder(new MapConfigurationPropertySource(documented))
			.bind("waterhealer", Bindable.of(WaterhealerProperties.class))
			.get();
		assertThat(bound.toListenerDefaults()).isEqualTo(new WaterhealerProperties().toListenerDefaults());
		assertThat(bound.isEnabled()).isEqualTo(new WaterhealerProperties().isEnabled());
		assertThat(bound.toShutdownSettings()).isEqualTo(new WaterhealerProperties().toShutdownSettings());
		assertThat(bound.getShutdown().getFatalExceptions()).isEmpty();
	}

	@Test
	void readmeListsEveryProperty() throws IOException {
		String readme = Files.readString(Path.of("..", "README.md"));
		for (Map<String, Object> property : properties()) {
			assertThat(readme).as("README.md properties table").contains("`" + property.get("name") + "`");
		}
	}

	/** The {@code waterhealer.*} properties (the processor also describes the checkpoints endpoint's own). */
	private static List<Map<String, Object>> properties() throws IOException {
		try (InputStream in = ConfigurationMetadataTests.class
			.getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
			assertThat(in).as("generated configuration metadata").isNotNull();
			List<Map<String, Object>> all = JsonPath.read(in, "$.properties[*]");
			List<Map<String, Object>> result = new ArrayList<>(
					all.stream().filter((p) -> ((String) p.get("name")).startsWith("waterhealer.")).toList());
			assertThat(result).isNotEmpty();
			return result;
		}
	}

}
