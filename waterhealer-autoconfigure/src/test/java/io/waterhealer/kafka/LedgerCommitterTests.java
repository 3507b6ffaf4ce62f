package io.waterhealer.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.waterhealer.codec.CommitMetadataCodec;
import io.waterhealer.codec.CompletedOffsets;
import io.waterhealer.ledger.OffsetLedger;
import io.waterhealer.ledger.PartitionLedger;
import io.waterhealer.metrics.ListenerMetrics;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetCommitCallback;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the committer writes and what it trusts when it reads a commit back, with Kafka's {@link MockConsumer} as
 * the group's store: metadata is trusted only at the offset it was written for.
 */
@ExtendWith(OutputCaptureExtension.class)
class LedgerCommitterTests {

	private final TopicPartition partition = new TopicPartition("orders", 0);

	private final MockConsumer<String, String> consumer = new MockConsumer<>("earliest");

	private final OffsetLedger ledger = stuckAtOneThousand();

	private final LedgerCommitter committer = new LedgerCommitter("orders", 4096, ListenerMetrics.NONE);

	LedgerCommitterTests() {
		// MockConsumer answers committed(...) only for assigned partitions
		this.consumer.assign(List.of(this.partition));
	}

	@Test
	void metadataIsTrustedAtTheOffsetItWasWrittenFor(CapturedOutput output) {
		this.committer.commitSync(this.consumer, List.of(this.ledger.get(this.partition)), Duration.ofSeconds(1));
		OffsetAndMetadata written = committed();
		assertThat(written.offset()).isEqualTo(1_000);
		assertThat(written.metadata()).startsWith("wh2r:1000:");
		CompletedOffsets completed = readBack().get(this.partition);
		assertThat(completed).isNotNull();
		assertThat(completed.count()).isEqualTo(500);
		assertThat(output).doesNotContain("processed again");
	}

	@Test
	void metadataKeptAcrossAMovedOffsetIsIgnoredWithOneWarning(CapturedOutput output) {
		this.committer.commitSync(this.consumer, List.of(this.ledger.get(this.partition)), Duration.ofSeconds(1));
		String metadata = committed().metadata();
		this.consumer.commitSync(Map.of(this.partition, new OffsetAndMetadata(950, metadata)));
		assertThat(readBack()).isEmpty();
		assertThat(readBack()).isEmpty();
		String warning = "the committed offset of orders-0 was moved to 950 after its commit metadata was written for "
				+ "offset 1000 (by MirrorMaker 2's offset sync or alterConsumerGroupOffsets, for example); the metadata "
				+ "is ignored and the records from offset 950 are processed again";
		assertThat(output.toString().split(java.util.regex.Pattern.quote(warning), -1)).hasSize(2);
	}

	@Test
	void metadataOfTheFirstFormatIsIgnoredWithOneWarning(CapturedOutput output) {
		// runs [1, 500] from 1000 as the first format wrote them
		this.consumer.commitSync(Map.of(this.partition, new OffsetAndMetadata(1_000, "wh1r:AfQD")));
		assertThat(readBack()).isEmpty();
		assertThat(readBack()).isEmpty();
		String warning = "the commit metadata of orders-0@1000 is in the first format (wh1r)";
		assertThat(output.toString().split(java.util.regex.Pattern.quote(warning), -1)).hasSize(2);
		assertThat(output).contains("the records from offset 1000 are processed again");
	}

	@Test
	void aMovedOffsetIsReportedAgainWhenItMovesAgain(CapturedOutput output) {
		this.committer.commitSync(this.consumer, List.of(this.ledger.get(this.partition)), Duration.ofSeconds(1));
		String metadata = committed().metadata();
		this.consumer.commitSync(Map.of(this.partition, new OffsetAndMetadata(950, metadata)));
		assertThat(readBack()).isEmpty();
		this.consumer.commitSync(Map.of(this.partition, new OffsetAndMetadata(900, metadata)));
		assertThat(readBack()).isEmpty();
		assertThat(output).contains("was moved to 950").contains("was moved to 900");
	}

	@Test
	void metadataThatDoesNotFitIsCutAndTheWarningSaysHowManyCompletedRecordsItLeftOut(CapturedOutput output) {
		OffsetLedger scattered = new OffsetLedger(OffsetLedger.DEFAULT_MAX_IN_FLIGHT, OffsetLedger.DEFAULT_MAX_SPAN);
		PartitionLedger partitionLedger = scattered.assign(this.partition);
		for (long offset = 0; offset < 3_000; offset++) {
			partitionLedger.handOut(offset);
		}
		// every third offset stays pending (offset 0 first), the others complete: 2,000 completed beyond it
		for (long offset = 0; offset < 3_000; offset++) {
			if (offset % 3 != 0) {
				partitionLedger.complete(offset);
			}
		}
		LedgerCommitter small = new LedgerCommitter("orders", 64, ListenerMetrics.NONE);
		small.commitSync(this.consumer, List.of(partitionLedger), Duration.ofSeconds(1));
		OffsetAndMetadata written = committed();
		assertThat(written.offset()).isZero();
		assertThat(written.metadata()).hasSizeLessThanOrEqualTo(64);
		long covered = CommitMetadataCodec.decode(written.offset(), written.metadata()).count();
		assertThat(covered).isPositive().isLessThan(2_000);
		assertThat(output).contains("of 3000 up to the newest record: " + (2_000 - covered)
				+ " of the 2000 completed records beyond the committed offset are left out");
	}

	@Test
	void aSynchronousCommitTheBrokerRefusesLeavesTheLedgerUncommittedAndTheNextCommitSendsItAgain(
			CapturedOutput output) {
		PartitionLedger partitionLedger = this.ledger.get(this.partition);
		FailingCommits failing = new FailingCommits();
		failing.assign(List.of(this.partition));
		failing.failNext = true;
		this.committer.commitSync(failing, List.of(partitionLedger), Duration.ofSeconds(1));
		assertThat(partitionLedger.snapshot().committed()).isEqualTo(-1);
		assertThat(output).contains("could not commit {orders-0=1000} before giving the partitions up");
		this.committer.commitSync(failing, List.of(partitionLedger), Duration.ofSeconds(1));
		assertThat(failing.committed(java.util.Set.of(this.partition)).get(this.partition).offset()).isEqualTo(1_000);
		assertThat(partitionLedger.snapshot().committed()).isEqualTo(1_000);
	}

	@Test
	void anAsynchronousCommitWhoseCallbackReportsAFailureLeavesTheLedgerUncommittedAndTheNextIntervalSendsItAgain(
			CapturedOutput output) {
		PartitionLedger partitionLedger = this.ledger.get(this.partition);
		FailingCommits failing = new FailingCommits();
		failing.assign(List.of(this.partition));
		failing.failNext = true;
		assertThat(this.committer.commitAsync(failing, List.of(partitionLedger))).hasSize(1);
		assertThat(partitionLedger.snapshot().committed()).isEqualTo(-1);
		assertThat(output).contains("could not commit {orders-0=1000}; the next commit interval tries again");
		assertThat(this.committer.commitAsync(failing, List.of(partitionLedger)))
			.singleElement()
			.satisfies((point) -> assertThat(point.position()).isEqualTo(1_000));
		assertThat(partitionLedger.snapshot().committed()).isEqualTo(1_000);
		assertThat(this.committer.commitAsync(failing, List.of(partitionLedger))).isEmpty();
	}

	private Map<TopicPartition, CompletedOffsets> readBack() {
		return this.committer.completedBeforeAssignment(this.consumer, List.of(this.partition));
	}

	private OffsetAndMetadata committed() {
		return this.consumer.committed(java.util.Set.of(this.partition)).get(this.partition);
	}

	/** Offsets 1000..1500 handed out, all complete but 1000. */
	private OffsetLedger stuckAtOneThousand() {
		OffsetLedger ledger = new OffsetLedger(OffsetLedger.DEFAULT_MAX_IN_FLIGHT, OffsetLedger.DEFAULT_MAX_SPAN);
		PartitionLedger partitionLedger = ledger.assign(this.partition);
		for (long offset = 1_000; offset <= 1_500; offset++) {
			partitionLedger.handOut(offset);
		}
		for (long offset = 1_001; offset <= 1_500; offset++) {
			partitionLedger.complete(offset);
		}
		return ledger;
	}

	/**
	 * Kafka's mock consumer with a commit the broker refuses: the synchronous commit throws, the asynchronous one
	 * reports the failure to its callback, as the real consumer does.
	 */
	private static final class FailingCommits extends MockConsumer<String, String> {

		boolean failNext;

		FailingCommits() {
			super("earliest");
		}

		@Override
		public void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets, Duration timeout) {
			if (this.failNext) {
				this.failNext = false;
				throw new RebalanceInProgressException("the group is rebalancing");
			}
			super.commitSync(offsets, timeout);
		}

		@Override
		public synchronized void commitAsync(Map<TopicPartition, OffsetAndMetadata> offsets,
				OffsetCommitCallback callback) {
			if (this.failNext) {
				this.failNext = false;
				callback.onComplete(offsets, new RebalanceInProgressException("the group is rebalancing"));
				return;
			}
			super.commitAsync(offsets, callback);
		}

	}

}
