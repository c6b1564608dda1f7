package org.layerwise.sweep.ui;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.jobs.Job;
import org.layerwise.sweep.aggregate.SweepTable;

/**
 * Reads a sweep directory's table (sweep.json and every point's run.json and metrics.json) off
 * the UI thread, and hands the outcome to a consumer: the table, or a message naming the file
 * and what is wrong with it. The job itself always ends OK: a bad sweep is said in the view.
 */
final class ReadSweepJob extends Job {

    /** The family of every sweep-reading job (tests wait for it). */
    static final Object FAMILY = ReadSweepJob.class;

    /** What reading gave: the table, or why there is none. */
    record Outcome(Path directory, SweepTable table, String problem) {
    }

    private final Path directory;
    private final Consumer<Outcome> done;

    ReadSweepJob(Path directory, Consumer<Outcome> done) {
        super("Reading the sweep in " + directory);
        this.directory = directory;
        this.done = done;
        setSystem(false);
        setPriority(Job.SHORT);
    }

    @Override
    public boolean belongsTo(Object family) {
        return family == FAMILY;
    }

    @Override
    protected IStatus run(IProgressMonitor monitor) {
        done.accept(read(directory));
        return Status.OK_STATUS;
    }

    /** The table of the sweep in dir, or the problem in words. */
    static Outcome read(Path dir) {
        Path json = dir.resolve("sweep.json");
        if (!Files.isRegularFile(json)) {
            return new Outcome(dir, null, dir + " is not a sweep directory: it has no sweep.json"
                    + " (a sweep directory is what 'layerwise sweep' writes, docs/design/sweeps.md).");
        }
        try {
            return new Outcome(dir, SweepTable.read(dir), null);
        } catch (IOException | RuntimeException e) {
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            // the aggregate's messages name the file at fault; anything else is taken to be about sweep.json
            return new Outcome(dir, null, "Cannot read the sweep: " + (message.contains(dir.toString()) ? message
                    : json + ": " + message));
        }
    }
}
