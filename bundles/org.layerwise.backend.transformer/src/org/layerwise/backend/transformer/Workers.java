package org.layerwise.backend.transformer;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/** Runs the tasks 0..count-1 of an engine on its threads; which thread runs a task never changes a result. */
final class Workers {

    private final int threads;
    private final ForkJoinPool pool;

    /** threads 1: the calling thread alone; 0 or less: the common fork-join pool; else a pool of that many threads. */
    Workers(int threads) {
        this.threads = threads;
        this.pool = threads > 1 ? new ForkJoinPool(threads) : null;
    }

    void forEach(int count, IntConsumer task) {
        if (threads == 1) {
            for (int k = 0; k < count; k++) {
                task.accept(k);
            }
        } else if (pool == null) {
            IntStream.range(0, count).parallel().forEach(task);
        } else {
            try {
                pool.submit(() -> IntStream.range(0, count).parallel().forEach(task)).get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
            }
        }
    }
}
