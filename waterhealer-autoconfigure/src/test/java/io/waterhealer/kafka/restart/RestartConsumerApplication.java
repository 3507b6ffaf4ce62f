package io.waterhealer.kafka.restart;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import io.waterhealer.HealingListener;
import io.waterhealer.Ordering;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * A consumer that runs in its own JVM so that a test can kill it with SIGKILL. Every record it completes is
 * appended to a file before the handler returns, so the file is the durable record of what was processed.
 * Properties: {@code restart.topic}, {@code restart.output}, {@code restart.fail-offset} (a record that always
 * fails; -1 for none).
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class RestartConsumerApplication {

	public static void main(String[] args) {
		SpringApplication.run(RestartConsumerApplication.class, args);
	}

	@Bean
	ProcessedLog processedLog(@Value("${restart.output}") String output,
			@Value("${restart.fail-offset}") long failOffset) throws IOException {
		return new ProcessedLog(new FileOutputStream(output, true), failOffset);
	}

	/** Appends the offset of each processed record to a file. */
	public static class ProcessedLog {

		private final OutputStream out;

		private final long failOffset;

		ProcessedLog(OutputStream out, long failOffset) {
			this.out = out;
			this.failOffset = failOffset;
		}

		@HealingListener(id = "restart", topics = "${restart.topic}", parallelism = "16",
				ordering = Ordering.UNORDERED)
		void process(ConsumerRecord<String, String> record) {
			if (record.offset() == this.failOffset) {
				throw new IllegalStateException("offset " + this.failOffset + " keeps failing");
			}
			byte[] line = (record.offset() + "\n").getBytes(StandardCharsets.US_ASCII);
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

	}

}
