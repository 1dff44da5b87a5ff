/**
 * Parallel apply: which source transactions may run at once ({@link dev.ferry.apply.schedule.WriteKeys},
 * {@link dev.ferry.apply.schedule.DependencyTracker}) and the applier that runs them on several
 * target connections ({@code ParallelApplier}).
 */
package dev.ferry.apply.schedule;
