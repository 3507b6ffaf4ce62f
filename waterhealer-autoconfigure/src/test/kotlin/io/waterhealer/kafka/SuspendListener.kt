package io.waterhealer.kafka

import io.waterhealer.HealingListener
import io.waterhealer.Ordering
import kotlinx.coroutines.delay
import org.apache.kafka.clients.consumer.ConsumerRecord
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.atomic.AtomicInteger

/**
 * A Kotlin `suspend fun` listener: it suspends (so its worker thread is free while it waits), resumes on a
 * coroutine thread and completes its record when it returns; record 7 always throws after resuming.
 */
class SuspendListener {

    @JvmField
    val done: MutableSet<Long> = ConcurrentHashMap.newKeySet()

    @JvmField
    val resumedOn: MutableList<String> = CopyOnWriteArrayList()

    @JvmField
    val attempts = AtomicInteger()

    @HealingListener(id = "policy", topics = ["\${policy.topic}"], ordering = [Ordering.UNORDERED])
    suspend fun process(record: ConsumerRecord<String, String>): String {
        // long enough that it really suspends: a delay that elapses before the coroutine gets to suspend (its
        // worker thread descheduled for longer than the delay, as on a loaded 2-core CI machine) is no suspension at
        // all, and the coroutine simply goes on in the worker thread; with 5 ms that happened to 1 record of 22
        delay(100)
        resumedOn.add(Thread.currentThread().name)
        if (record.offset() == 7L) {
            attempts.incrementAndGet()
            throw IllegalStateException("suspend ${record.offset()} failed")
        }
        done.add(record.offset())
        return record.value()
    }

}
