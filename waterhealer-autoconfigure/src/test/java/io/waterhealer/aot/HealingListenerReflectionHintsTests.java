package io.waterhealer.aot;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.waterhealer.HealingListener;
import io.waterhealer.Stages;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import org.springframework.aot.generate.ClassNameGenerator;
import org.springframework.aot.generate.DefaultGenerationContext;
import org.springframework.aot.generate.InMemoryGeneratedFiles;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.annotation.ReflectiveRuntimeHintsRegistrar;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.context.aot.ApplicationContextAotGenerator;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.javapoet.ClassName;
import org.springframework.messaging.handler.annotation.Header;
import org.springframework.messaging.handler.annotation.Payload;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A {@code @HealingListener} method gets the hints a {@code @KafkaListener} method gets: it may be invoked
 * reflectively, and its payload types (and what it returns) may be bound by reflection, as a JSON converter does.
 * Checked twice: through the {@code @Reflective} processing on its own, and through the AOT processing of a small
 * context, which is what {@code spring-boot:process-aot} runs for an application.
 */
class HealingListenerReflectionHintsTests {

	@Test
	void theListenerMethodMayBeInvokedAndItsPayloadTypesBound() throws Exception {
		RuntimeHints hints = new RuntimeHints();
		new ReflectiveRuntimeHintsRegistrar().registerRuntimeHints(hints, OrderListeners.class);
		assertListenerHints(hints);
	}

	@Test
	void theAotProcessingOfAContextWithAListenerBeanRegistersTheSameHints() throws Exception {
		try (GenericApplicationContext context = new GenericApplicationContext()) {
			context.registerBean(OrderListeners.class);
			DefaultGenerationContext generation = new DefaultGenerationContext(
					new ClassNameGenerator(ClassName.get("io.waterhealer.aot", "AotTest")), new InMemoryGeneratedFiles());
			new ApplicationContextAotGenerator().processAheadOfTime(context, generation);
			assertListenerHints(generation.getRuntimeHints());
		}
	}

	private static void assertListenerHints(RuntimeHints hints) throws Exception {
		assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(OrderListeners.class, "onOrder"))
			.accepts(hints);
		assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(OrderListeners.class, "onRecord"))
			.accepts(hints);
		assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(OrderListeners.class, "onComposed"))
			.accepts(hints);
		// the payload POJO: its record components, so a converter can create and read it
		assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(Order.class.getMethod("id"))).accepts(hints);
		assertThat(RuntimeHintsPredicates.reflection()
			.onConstructorInvocation(Order.class.getDeclaredConstructor(String.class, Line.class))).accepts(hints);
		// nested types, the element of a List payload, and a type reached only as a generic of ConsumerRecord
		assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(Line.class.getMethod("sku"))).accepts(hints);
		assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(Refund.class.getMethod("amount")))
			.accepts(hints);
		// what the method returns: bound like a payload, as spring-messaging does for a reply
		assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(Receipt.class.getMethod("number")))
			.accepts(hints);
		// a header is not a payload
		assertThat(RuntimeHintsPredicates.reflection().onType(Tenant.class)).rejects(hints);
	}

	record Line(String sku, int quantity) {
	}

	record Order(String id, Line line) {
	}

	record Refund(long amount) {
	}

	record Receipt(String number) {
	}

	record Tenant(String name) {
	}

	@Target(ElementType.METHOD)
	@Retention(RetentionPolicy.RUNTIME)
	@HealingListener(topics = "refunds")
	@interface RefundListener {

	}

	static class OrderListeners {

		@HealingListener(topics = "orders")
		Receipt onOrder(@Payload Order order, @Header("x-tenant") Tenant tenant) {
			return new Receipt(order.id());
		}

		@HealingListener(topics = "order-records")
		CompletableFuture<Void> onRecord(ConsumerRecord<String, Refund> record, Stages stages) {
			return CompletableFuture.completedFuture(null);
		}

		@RefundListener
		void onComposed(List<Order> orders) {
		}

	}

}
