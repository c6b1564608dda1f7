package org.layerwise.ui.editor;

import java.util.List;
import java.util.function.Consumer;

import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.Color;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.widgets.Combo;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Text;
import org.layerwise.core.SettingSpec;

/**
 * The input of one setting, generated from its declaration: a text field for numbers, text
 * and paths (the default shown greyed while empty), a drop-down for booleans and choices
 * whose first entry means "the default". The description, range and default are its tooltip;
 * a validation message appears in the line below it.
 */
final class SettingField {

    /** Light red behind a field whose value the validator rejects. */
    static final Color INVALID = new Color(255, 226, 226);

    private final SettingSpec spec;
    private final Control input;
    private final Label problem;
    private boolean updating;

    SettingField(Composite parent, SettingSpec spec, Consumer<String> onChange) {
        this.spec = spec;
        Label name = new Label(parent, SWT.NONE);
        name.setText(spec.name());
        String tip = (spec.description().isBlank() ? "" : spec.description() + "\n") + "Allowed: " + spec.range()
                + "\nDefault: " + spec.defaultValue();
        name.setToolTipText(tip);
        if (spec.type() == SettingSpec.Type.BOOLEAN || spec.type() == SettingSpec.Type.CHOICE) {
            Combo combo = new Combo(parent, SWT.READ_ONLY | SWT.DROP_DOWN);
            combo.add("default (" + spec.defaultValue() + ")");
            choices().forEach(combo::add);
            combo.select(0);
            combo.addListener(SWT.Selection, e -> {
                if (!updating) {
                    onChange.accept(combo.getSelectionIndex() <= 0 ? null : combo.getItem(combo.getSelectionIndex()));
                }
            });
            input = combo;
        } else {
            Text text = new Text(parent, SWT.BORDER | SWT.SINGLE);
            text.setMessage(spec.defaultValue());
            text.addListener(SWT.Modify, e -> {
                if (!updating) {
                    onChange.accept(text.getText());
                }
            });
            input = text;
        }
        input.setToolTipText(tip);
        input.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));
        Label range = new Label(parent, SWT.NONE);
        range.setText(spec.range());
        range.setForeground(parent.getDisplay().getSystemColor(SWT.COLOR_WIDGET_DARK_SHADOW));
        problem = new Label(parent, SWT.WRAP);
        problem.setForeground(parent.getDisplay().getSystemColor(SWT.COLOR_RED));
        GridData pd = new GridData(SWT.FILL, SWT.TOP, true, false, 3, 1);
        pd.widthHint = 300;
        pd.exclude = true;
        problem.setLayoutData(pd);
        problem.setVisible(false);
    }

    private List<String> choices() {
        return spec.type() == SettingSpec.Type.BOOLEAN ? List.of("true", "false") : spec.choices();
    }

    SettingSpec spec() {
        return spec;
    }

    Control input() {
        return input;
    }

    /** The value shown, or "" while the default applies. */
    String shownValue() {
        if (input instanceof Combo combo) {
            return combo.getSelectionIndex() <= 0 ? "" : combo.getItem(combo.getSelectionIndex());
        }
        return ((Text) input).getText();
    }

    /** Shows the model's value (null: the default) without issuing a change. */
    void show(String value) {
        String v = value == null ? "" : value;
        if (v.equals(shownValue())) {
            return;
        }
        updating = true;
        try {
            if (input instanceof Combo combo) {
                int i = choices().indexOf(v.trim());
                if (i >= 0) {
                    combo.select(i + 1);
                } else if (v.isEmpty()) {
                    combo.select(0);
                } else {
                    // a value outside the choices (hand-edited file): show it so validation can point at it
                    combo.add(v);
                    combo.select(combo.getItemCount() - 1);
                }
            } else {
                ((Text) input).setText(v);
            }
        } finally {
            updating = false;
        }
    }

    /** Shows the validation message at this field, or hides it (null). */
    boolean showProblem(String message) {
        String m = message == null ? "" : message;
        if (m.equals(problem.getText()) && problem.getVisible() == (message != null)) {
            return false;
        }
        problem.setText(m);
        problem.setVisible(message != null);
        ((GridData) problem.getLayoutData()).exclude = message == null;
        input.setBackground(message == null ? null : INVALID);
        return true;
    }

    /** The message shown at this field, or null. */
    String problem() {
        return problem.getVisible() ? problem.getText() : null;
    }
}
