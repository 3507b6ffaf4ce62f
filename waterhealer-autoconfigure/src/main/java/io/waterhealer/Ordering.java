package io.waterhealer;

/**
 * Which records of a {@link HealingListener} may be processed at the same time. Whatever the ordering, an offset is
 * committed only once it and every offset before it in its partition are complete.
 */
public enum Ordering {

	/**
	 * Records with equal keys never run at the same time and run in offset order; records with different keys run
	 * in parallel. A record that keeps failing holds back only the later records of its own key. Records without a
	 * key have no ordering constraint. Keys are compared by content (byte arrays too).
	 */
	KEY,

	/**
	 * Records of one partition run one at a time in offset order; partitions run in parallel. Parallelism beyond the
	 * number of assigned partitions is not used.
	 */
	PARTITION,

	/**
	 * Any record may run at any time, up to the listener's parallelism. The fastest choice when records are
	 * independent.
	 */
	UNORDERED

}
