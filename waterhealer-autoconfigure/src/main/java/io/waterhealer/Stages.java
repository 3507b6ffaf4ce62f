package io.waterhealer;

import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Splits the work of a {@link HealingListener} into named stages, each measured on its own (records in and out,
 * errors by exception, processing time, payload size in and out): water-healer's per-step metrics, in the shape of
 * a plain method call. Declare a {@code Stages} parameter on the listener method and wrap each step:
 *
 * <pre class="code">
 * &#64;HealingListener(topics = "payments")
 * void handle(String json, Stages stages) {
 *     Payment payment = stages.apply("parse", json, this::parse);
 *     Payment enriched = stages.apply("enrich", payment, this::enrich);
 *     stages.accept("store", enriched, this.repository::save);
 * }
 * </pre>
 *
 * A step that throws counts as an error of its stage and fails the record like any other exception. The stage name
 * becomes the {@code stage} tag of the {@code waterhealer.stage.*} meters, so use a small fixed set of names.
 */
public interface Stages {

	/**
	 * Run one step that produces a value.
	 * @param stage the stage name (a meter tag: keep the set of names small)
	 * @param input the step's input
	 * @param step the step
	 * @param <I> the input type
	 * @param <O> the output type
	 * @return the step's output
	 */
	<I, O> O apply(String stage, I input, Function<? super I, ? extends O> step);

	/**
	 * Run one step that produces nothing.
	 * @param stage the stage name (a meter tag: keep the set of names small)
	 * @param input the step's input
	 * @param step the step
	 * @param <I> the input type
	 */
	<I> void accept(String stage, I input, Consumer<? super I> step);

}
