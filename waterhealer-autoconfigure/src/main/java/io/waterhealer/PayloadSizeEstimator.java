package io.waterhealer;

import java.nio.ByteBuffer;

import org.jspecify.annotations.Nullable;

/**
 * Estimates the size in bytes of a value passed between stages, for the {@code waterhealer.stage.payload.*}
 * distribution summaries (the first stage measures the serialized record instead). Define a bean of this type to
 * measure your own types; return a negative number for "unknown", which records nothing.
 */
@FunctionalInterface
public interface PayloadSizeEstimator {

	/** Sizes byte arrays, byte buffers and character sequences (one byte per character); nothing else. */
	PayloadSizeEstimator DEFAULT = (value) -> {
		if (value instanceof byte[] bytes) {
			return bytes.length;
		}
		if (value instanceof ByteBuffer buffer) {
			return buffer.remaining();
		}
		if (value instanceof CharSequence text) {
			return text.length();
		}
		return -1;
	};

	/**
	 * Estimate a value's size.
	 * @param value the value, possibly {@code null}
	 * @return its size in bytes, or a negative number when unknown
	 */
	long sizeOf(@Nullable Object value);

}
