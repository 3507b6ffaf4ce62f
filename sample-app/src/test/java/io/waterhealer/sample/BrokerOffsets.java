package io.waterhealer.sample;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/** Committed and end offsets as the broker has them, read with the AdminClient, for the sample's tests. */
final class BrokerOffsets {

	private BrokerOffsets() {
	}

	/** The group's committed offsets, partitions without a commit left out. */
	static Map<TopicPartition, Long> committed(Admin admin, String group) throws Exception {
		Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
			.partitionsToOffsetAndMetadata()
			.get(10, TimeUnit.SECONDS);
		return offsets.entrySet()
			.stream()
			.filter((entry) -> entry.getValue() != null)
			.collect(Collectors.toMap(Map.Entry::getKey, (entry) -> entry.getValue().offset()));
	}

	/** The end offset of each partition of an existing topic. */
	static Map<TopicPartition, Long> end(Admin admin, String topic) throws Exception {
		List<TopicPartition> partitions = admin.describeTopics(List.of(topic))
			.allTopicNames()
			.get(10, TimeUnit.SECONDS)
			.get(topic)
			.partitions()
			.stream()
			.map((info) -> new TopicPartition(topic, info.partition()))
			.toList();
		Map<TopicPartition, OffsetSpec> latest = partitions.stream()
			.collect(Collectors.toMap(Function.identity(), (partition) -> OffsetSpec.latest()));
		return admin.listOffsets(latest)
			.all()
			.get(10, TimeUnit.SECONDS)
			.entrySet()
			.stream()
			.collect(Collectors.toMap(Map.Entry::getKey, (entry) -> entry.getValue().offset()));
	}

}
