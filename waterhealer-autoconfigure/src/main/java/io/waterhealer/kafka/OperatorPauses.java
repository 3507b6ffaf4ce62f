package io.waterhealer.kafka;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.kafka.common.TopicPartition;

/**
 * What an operator paused of one listener through the {@code healinglisteners} endpoint: the whole listener, or
 * single partitions. It is kept per listener and not per assignment, because an assignment ends at every rebalance
 * and container restart while the operator's intent does not: a partition revoked and assigned again on this
 * instance, or consumed again after its container restarted, is held from its new assignment on.
 * <p>
 * Written from request threads and read from consumer threads (each assignment, each hand-out), hence the
 * concurrent set and the volatile flag; neither ever touches a consumer.
 */
final class OperatorPauses {

	private volatile boolean listener;

	private final Set<TopicPartition> partitions = ConcurrentHashMap.newKeySet();

	/** Whether the operator paused the whole listener. */
	boolean listenerPaused() {
		return this.listener;
	}

	/** Whether the operator holds this partition, by itself or with its whole listener. */
	boolean holds(TopicPartition topicPartition) {
		return this.listener || this.partitions.contains(topicPartition);
	}

	/** The partitions paused one by one (the listener's own pause aside). */
	Set<TopicPartition> partitions() {
		return Set.copyOf(this.partitions);
	}

	void pauseListener() {
		this.listener = true;
	}

	/** Resume the listener and every partition paused one by one: after it, nothing is held by the operator. */
	void resumeListener() {
		this.listener = false;
		this.partitions.clear();
	}

	void pausePartition(TopicPartition topicPartition) {
		this.partitions.add(topicPartition);
	}

	void resumePartition(TopicPartition topicPartition) {
		this.partitions.remove(topicPartition);
	}

}
