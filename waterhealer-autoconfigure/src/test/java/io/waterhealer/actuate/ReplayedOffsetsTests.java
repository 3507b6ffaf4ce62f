package io.waterhealer.actuate;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.LongStream;

import io.waterhealer.DeadLetterHeaders;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import org.springframework.kafka.support.KafkaHeaders;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the replay group commits after a replay, and what it reads back: offsets replayed in the middle of the
 * dead-letter topic (a filtered replay) stay replayed for the next replay, so none is replayed twice.
 */
class ReplayedOffsetsTests {

	@Test
	void aReplayOfEverythingCommitsTheScanEndWithoutMetadata() {
		OffsetAndMetadata commit = ReplayedOffsets.of(null, 0).after(0, 10, List.of());
		assertThat(commit.offset()).isEqualTo(10);
		assertThat(commit.metadata()).isEmpty();
		ReplayedOffsets read = ReplayedOffsets.of(commit, 0);
		assertThat(read.position()).isEqualTo(10);
		assertThat(read.count(10)).isEqualTo(10);
	}

	@Test
	void aRangeInTheMiddleIsRememberedBeyondTheCommittedOffset() {
		OffsetAndMetadata commit = ReplayedOffsets.of(null, 0).after(2, 5, List.of());
		assertThat(commit.offset()).isZero();
		ReplayedOffsets read = ReplayedOffsets.of(commit, 0);
		assertThat(LongStream.range(0, 10).filter(read::replayed).toArray()).containsExactly(2, 3, 4);
		assertThat(read.count(10)).isEqualTo(3);
	}

	@Test
	void recordsLeftAloneByAnExceptionFilterStayToBeReplayedAndEarlierReplaysStayReplayed() {
		ReplayedOffsets first = ReplayedOffsets.of(ReplayedOffsets.of(null, 0).after(2, 5, List.of()), 0);
		// a replay of one exception class over [0, 10): 0, 1 and 5 were of another class
		OffsetAndMetadata second = first.after(0, 10, List.of(0L, 1L, 5L));
		ReplayedOffsets read = ReplayedOffsets.of(second, 0);
		assertThat(read.position()).isZero();
		assertThat(LongStream.range(0, 12).filter(read::replayed).toArray()).containsExactly(2, 3, 4, 6, 7, 8, 9);
		// the rest replayed: everything is, and the position moves to the end
		OffsetAndMetadata third = read.after(0, 10, List.of());
		assertThat(third.offset()).isEqualTo(10);
		assertThat(third.metadata()).isEmpty();
	}

	@Test
	void offsetsBelowTheLogStartAreGoneAndNotCounted() {
		ReplayedOffsets read = ReplayedOffsets.of(null, 40);
		assertThat(read.position()).isEqualTo(40);
		assertThat(read.count(50)).isZero();
		assertThat(read.replayed(39)).isTrue();
	}

	@Test
	void aReplayedRecordGoesToItsOriginalPartitionWithoutTheDeadLetteringsHeadersAndWithAMark() {
		ConsumerRecord<byte[], byte[]> dead = new ConsumerRecord<>("orders-dlt", 0, 7, bytes("k"), bytes("v"));
		dead.headers().add("x-tenant", bytes("acme"));
		dead.headers().add(KafkaHeaders.DLT_ORIGINAL_TOPIC, bytes("orders"));
		dead.headers().add(KafkaHeaders.DLT_ORIGINAL_PARTITION, ByteBuffer.allocate(4).putInt(3).array());
		dead.headers().add(KafkaHeaders.DLT_EXCEPTION_FQCN, bytes("com.example.BugException"));
		dead.headers().add(DeadLetterHeaders.ATTEMPTS, bytes("3"));
		dead.headers().add(DeadLetterHeaders.ROOT_CAUSE_CLASS, bytes("com.example.BugException"));
		ProducerRecord<byte[], byte[]> replay = DeadLetterReplay.toOrigin(dead, "2026-12-02T14:00:00Z");
		assertThat(replay.topic()).isEqualTo("orders");
		assertThat(replay.partition()).isEqualTo(3);
		assertThat(replay.key()).isEqualTo(bytes("k"));
		assertThat(replay.value()).isEqualTo(bytes("v"));
		assertThat(replay.headers().toArray()).extracting((header) -> header.key())
			.containsExactly("x-tenant", DeadLetterHeaders.REPLAYED);
	}

	@Test
	void retryTiersTrueOriginWinsOverTheTierItWasDeadLetteredFrom() {
		ConsumerRecord<byte[], byte[]> dead = new ConsumerRecord<>("orders-retry-1m-dlt", 0, 7, bytes("k"), bytes("v"));
		dead.headers().add(KafkaHeaders.DLT_ORIGINAL_TOPIC, bytes("orders-retry-1m"));
		dead.headers().add(KafkaHeaders.DLT_ORIGINAL_PARTITION, ByteBuffer.allocate(4).putInt(0).array());
		dead.headers().add(DeadLetterHeaders.RETRY_ORIGINAL_TOPIC, bytes("orders"));
		ProducerRecord<byte[], byte[]> replay = DeadLetterReplay.toOrigin(dead, "2026-12-02T14:00:00Z");
		assertThat(replay.topic()).isEqualTo("orders");
		assertThat(replay.partition()).isNull();
		assertThat(replay.headers().toArray()).extracting((header) -> header.key())
			.containsExactly(DeadLetterHeaders.REPLAYED);
	}

	@Test
	void offsetsAreShownAsRanges() {
		assertThat(DeadLetterReplay.ranges(List.of(0L, 1L, 5L, 7L, 8L, 9L))).containsExactly("0-1", "5", "7-9");
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
