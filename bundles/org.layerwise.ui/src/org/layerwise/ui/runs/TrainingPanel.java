package org.layerwise.ui.runs;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

import org.eclipse.swt.SWT;
import org.eclipse.swt.custom.SashForm;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Display;
import org.eclipse.swt.widgets.Label;
import org.layerwise.runner.RunResult;
import org.layerwise.ui.charts.ChartExportMenu;
import org.layerwise.ui.charts.LineChart;
import org.layerwise.ui.charts.Palette;
import org.layerwise.ui.charts.Series;

/**
 * The live view of the latest run started in the workbench: its training loss and training
 * accuracy per step as it trains (redrawn a few times a second, not per step), its status, and
 * a Cancel button. The accuracy is each step's batch accuracy from the engine's own forward
 * pass (in %), with an exponential moving average over it; a backend or task without an
 * accuracy (regression) leaves that chart empty.
 */
public final class TrainingPanel extends Composite implements RunEvents.Listener {

    private static final int REFRESH_MILLIS = 200;

    /** Weight of the newest step in the moving average of the accuracy (a span of about 50 steps). */
    public static final double EMA_WEIGHT = 2.0 / 51;

    private final Label status;
    private final Button cancel;
    private final LineChart chart;
    private final LineChart accuracyChart;
    private final Object lock = new Object();
    private RunPipelineJob job;
    private double[] steps = new double[0];
    private double[] losses = new double[0];
    private double[] accuracies = new double[0];
    private double[] smoothed = new double[0];
    private double ema;
    private int emaSteps;
    private int count;
    private String text = "No run started yet. Open a pipeline and choose Run > Run Pipeline.";
    /** Shown below the status while the run lasts and after: a resumed run's warnings. */
    private String note = "";
    private boolean dirty;
    private boolean running;
    /** A refresh is queued on the display (UI thread only): one loop, however many runs start. */
    private boolean scheduled;

    public TrainingPanel(Composite parent) {
        super(parent, SWT.NONE);
        setLayout(new GridLayout(2, false));
        status = new Label(this, SWT.WRAP);
        status.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));
        status.setText(text);
        cancel = new Button(this, SWT.PUSH);
        cancel.setText("Cancel run");
        cancel.setEnabled(false);
        cancel.addListener(SWT.Selection, e -> {
            RunPipelineJob j = currentJob();
            if (j != null) {
                j.cancel();
            }
        });
        SashForm charts = new SashForm(this, SWT.HORIZONTAL);
        charts.setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true, 2, 1));
        chart = new LineChart(charts, "Training loss", "training step", "loss (nats)");
        chart.integerXAxis();
        chart.show(java.util.List.of(Series.line("loss", "training loss (batch mean)", new double[0], new double[0],
                Palette.categorical(0))));
        ChartExportMenu.attach(chart);
        accuracyChart = new LineChart(charts, "Training accuracy", "training step", "accuracy (%)");
        accuracyChart.integerXAxis();
        accuracyChart.setYRange(0, 100);
        accuracyChart.show(java.util.List.of(
                Series.line("accuracy", "batch accuracy", new double[0], new double[0], Palette.tint(Palette.categorical(2), 0.5)),
                Series.line("accuracy_ema", "moving average (about 50 steps)", new double[0], new double[0],
                        Palette.categorical(2))));
        ChartExportMenu.attach(accuracyChart);
        RunEvents.add(this);
        addDisposeListener(e -> RunEvents.remove(this));
    }

    /** The loss chart. */
    public LineChart chart() {
        return chart;
    }

    /** The accuracy chart: series "accuracy" (each step's batch, in %) and "accuracy_ema". */
    public LineChart accuracyChart() {
        return accuracyChart;
    }

    public String statusText() {
        return status.getText();
    }

    public RunPipelineJob currentJob() {
        synchronized (lock) {
            return job;
        }
    }

    @Override
    public void started(RunPipelineJob j, Path directory) {
        synchronized (lock) {
            job = j;
            count = 0;
            steps = new double[1024];
            losses = new double[1024];
            accuracies = new double[1024];
            smoothed = new double[1024];
            ema = 0;
            emaSteps = 0;
            text = (j.resuming() ? "Resuming " : "Running ") + directory.getFileName();
            note = j.warnings().stream().map(w -> "\nWarning: " + w).collect(java.util.stream.Collectors.joining());
            dirty = true;
            running = true;
        }
        Display d = getDisplay();
        d.asyncExec(() -> {
            if (!isDisposed()) {
                cancel.setEnabled(true);
                schedule();
            }
        });
    }

    @Override
    public void trainingStep(RunPipelineJob j, int step, int total, double loss, double accuracy) {
        synchronized (lock) {
            if (j != job) {
                return;
            }
            if (count == steps.length) {
                steps = Arrays.copyOf(steps, count * 2);
                losses = Arrays.copyOf(losses, count * 2);
                accuracies = Arrays.copyOf(accuracies, count * 2);
                smoothed = Arrays.copyOf(smoothed, count * 2);
            }
            steps[count] = step;
            losses[count] = loss;
            accuracies[count] = 100 * accuracy;
            if (!Double.isNaN(accuracy)) {
                // bias-corrected like Adam's moments, so the average does not start from 0
                ema = (1 - EMA_WEIGHT) * ema + EMA_WEIGHT * 100 * accuracy;
                emaSteps++;
            }
            smoothed[count] = emaSteps == 0 ? Double.NaN : ema / (1 - Math.pow(1 - EMA_WEIGHT, emaSteps));
            count++;
            text = String.format(Locale.ROOT, "%s: step %d of %d, loss %.4f%s", j.getName(), step, total, loss,
                    emaSteps == 0 ? "" : String.format(Locale.ROOT, ", accuracy %.1f%% (moving average)", smoothed[count - 1]));
            dirty = true;
        }
    }

    @Override
    public void finished(RunPipelineJob j, RunResult result) {
        synchronized (lock) {
            if (j != job) {
                return;
            }
            text = result.directory().getFileName() + ": " + result.status()
                    + (result.cause() == null ? "" : " (" + result.cause().lines().findFirst().orElse("") + ")");
            dirty = true;
            running = false;
        }
        getDisplay().asyncExec(() -> {
            if (!isDisposed()) {
                cancel.setEnabled(false);
                schedule();
            }
        });
    }

    private void schedule() {
        if (!scheduled) {
            scheduled = true;
            getDisplay().timerExec(REFRESH_MILLIS, () -> {
                scheduled = false;
                if (!isDisposed()) {
                    refresh();
                }
            });
        }
    }

    /** Copies the latest points into the chart; reschedules itself while the run lasts. */
    private void refresh() {
        double[] x;
        double[] y;
        double[] acc = null;
        double[] accEma = null;
        String t;
        boolean again;
        synchronized (lock) {
            again = running;
            if (!dirty) {
                x = null;
                y = null;
                t = null;
            } else {
                x = Arrays.copyOf(steps, count);
                y = Arrays.copyOf(losses, count);
                acc = Arrays.copyOf(accuracies, count);
                accEma = Arrays.copyOf(smoothed, count);
                t = text + note;
                dirty = false;
            }
        }
        if (x != null) {
            chart.update("loss", x, y);
            accuracyChart.update("accuracy", x, acc);
            accuracyChart.update("accuracy_ema", x, accEma);
            status.setText(t);
            layout(new org.eclipse.swt.widgets.Control[] {status});
        }
        if (again) {
            schedule();
        }
    }
}
