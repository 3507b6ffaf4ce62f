package io.waterhealer.kafka.threads;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import io.waterhealer.HealingListener;
import io.waterhealer.Ordering;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * A consumer in its own JVM (started on Java 21 or later by {@link VirtualThreadsIntegrationTests}) that writes, for
 * every record, its offset, whether the handler ran on a virtual thread, and the thread's name.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class VirtualThreadsApplication {

	public static void main(String[] args) {
		SpringApplication.run(VirtualThreadsApplication.class, args);
	}

	@Bean
	ThreadLog threadLog(@Value("${threads.output}") Path output) throws IOException {
		return new ThreadLog(Files.newBufferedWriter(output, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
				StandardOpenOption.APPEND));
	}

	/** Notes the thread each record ran on. */
	public static class ThreadLog {

		private final Writer out;

		ThreadLog(Writer out) {
			this.out = out;
		}

		@HealingListener(id = "virtual", topics = "${threads.topic}", parallelism = "500",
				ordering = Ordering.UNORDERED)
		void process(ConsumerRecord<String, String> record) throws InterruptedException {
			// blocking handlers are what virtual threads are for: 500 of them at once hold no platform thread
			Thread.sleep(200);
			String line = record.offset() + " " + isVirtual(Thread.currentThread()) + " "
					+ Thread.currentThread().getName() + "\n";
			synchronized (this.out) {
				try {
					this.out.write(line);
					this.out.flush();
				}
				catch (IOException ex) {
					throw new UncheckedIOException(ex);
				}
			}
		}

		/** {@code Thread.isVirtual()} exists from Java 21; the test sources are compiled for Java 17. */
		static boolean isVirtual(Thread thread) {
			try {
				return (boolean) Thread.class.getMethod("isVirtual").invoke(thread);
			}
			catch (ReflectiveOperationException ex) {
				return false;
			}
		}

	}

}
