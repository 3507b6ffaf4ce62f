package io.waterhealer.kafka.worker

import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.flowOf
import org.apache.kafka.clients.consumer.ConsumerRecord

/**
 * A `suspend fun` that returns a `Flow`: Spring calls it into a `Flux`, which is not one completion of the record.
 */
class FlowListener {

    suspend fun process(record: ConsumerRecord<String, String>): Flow<String> = flowOf(record.value())

}
