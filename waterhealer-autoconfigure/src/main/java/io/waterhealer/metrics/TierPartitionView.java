package io.waterhealer.metrics;

import org.apache.kafka.common.TopicPartition;

/** A live view of an assigned retry tier partition, read by the tier gauges. */
public interface TierPartitionView {

	/** {@return the tier's partition (of its delay topic)} */
	TopicPartition topicPartition();

	/** {@return the tier's name ({@code 10s})} */
	String tier();

	/** {@return records on the partition not handed out yet: end offset minus the consumer's position, as last seen} */
	long depth();

	/** {@return seconds the partition's head record is past its due time and not handed out yet; 0 when none is} */
	double dueLagSeconds();

}
