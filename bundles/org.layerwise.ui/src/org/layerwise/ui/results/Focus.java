package org.layerwise.ui.results;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.eclipse.core.runtime.ILog;
import org.layerwise.core.SafeCall;
import org.osgi.framework.Bundle;
import org.osgi.framework.FrameworkUtil;

/**
 * The layer, prompt, head and training step a researcher is looking at. Choosing one in any run view sets it
 * here and every other run view follows. Used on the display thread only.
 * <p>
 * Layer convention (the one layer-dynamics.csv uses): layer t is the state after t blocks, so
 * 0 is the prompts themselves and L the output; for what belongs to a block (its weights, its
 * attention, its recursion coefficients) layer t means block t, the block that reads state t
 * (t = 0..L-1). A file's blocks.{l}.hook_resid_post is therefore layer l + 1.
 */
public final class Focus {

    /**
     * A layer (0..L), an evaluation prompt (0-based row of eval.npz), a head and a training step
     * (the model after that many optimizer steps, as a checkpoint series numbers them; views
     * without a series ignore it).
     */
    public record State(int layer, int prompt, int head, int step) {
        public State {
            if (layer < 0 || prompt < 0 || head < 0 || step < 0) {
                throw new IllegalArgumentException("layer, prompt, head and step are non-negative: " + layer + ", " + prompt
                        + ", " + head + ", " + step);
            }
        }

        /** At step 0. */
        public State(int layer, int prompt, int head) {
            this(layer, prompt, head, 0);
        }
    }

    /** Hears every change; source is whoever made it, so a view can ignore its own echo. */
    @FunctionalInterface
    public interface Listener {
        void focusChanged(State state, Object source);
    }

    private static final List<Listener> LISTENERS = new CopyOnWriteArrayList<>();
    private static State current = new State(0, 0, 0, 0);

    private Focus() {
    }

    public static State get() {
        return current;
    }

    public static void set(State state, Object source) {
        if (state.equals(current)) {
            return;
        }
        current = state;
        for (Listener l : LISTENERS) {
            // a contributed view's listener runs under SafeRunner: one that throws never stops the others following
            SafeCall.Outcome<Object> heard = SafeCall.run(() -> {
                l.focusChanged(state, source);
                return null;
            });
            if (heard.failure() != null) {
                Bundle b = FrameworkUtil.getBundle(l.getClass());
                ILog.of(Focus.class).error("a Focus listener of " + (b == null ? l.getClass().getName() : "bundle " + b.getSymbolicName())
                        + " failed: " + SafeCall.message(heard.failure()), heard.failure());
            }
        }
    }

    public static void layer(int layer, Object source) {
        set(new State(layer, current.prompt(), current.head(), current.step()), source);
    }

    public static void prompt(int prompt, Object source) {
        set(new State(current.layer(), prompt, current.head(), current.step()), source);
    }

    public static void head(int head, Object source) {
        set(new State(current.layer(), current.prompt(), head, current.step()), source);
    }

    public static void step(int step, Object source) {
        set(new State(current.layer(), current.prompt(), current.head(), step), source);
    }

    public static void add(Listener l) {
        LISTENERS.add(l);
    }

    public static void remove(Listener l) {
        LISTENERS.remove(l);
    }
}
