package org.layerwise.sweep.tests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes the pipeline and sweep files the tests read. */
final class SweepFiles {

    static final String PIPELINE = """
            <?xml version="1.0" encoding="UTF-8"?>
            <layerwise:Pipeline xmi:version="2.0" xmlns:xmi="http://www.omg.org/XMI" xmlns:layerwise="http://www.layerwise.org/pipeline/1.0" name="tiny" seed="7">
              <stages role="task" contribution="linear">
                <settings key="d" value="4"/>
                <settings key="C" value="2"/>
                <settings key="N" value="8"/>
              </stages>
              <stages role="backend" contribution="softmax-attention">
                <settings key="layers" value="1"/>
                <settings key="steps" value="20"/>
                <settings key="batch" value="16"/>
                <settings key="threads" value="1"/>
              </stages>
              <stages role="enforcer" contribution="random-conjugation">
                <settings key="factor" value="both"/>
              </stages>
              <stages role="analyzer" contribution="weight-abstraction"/>
            </layerwise:Pipeline>
            """;

    private SweepFiles() {
    }

    /** tiny.layerwise and NAME.sweep (whose root element's attributes and children are given) in dir. */
    static Path sweep(Path dir, String name, String attributes, String children) throws IOException {
        Files.writeString(dir.resolve("tiny.layerwise"), PIPELINE);
        Path f = dir.resolve(name + ".sweep");
        Files.writeString(f, """
                <?xml version="1.0" encoding="UTF-8"?>
                <layerwise:Sweep xmi:version="2.0" xmlns:xmi="http://www.omg.org/XMI" xmlns:layerwise="http://www.layerwise.org/pipeline/1.0" pipeline="tiny.layerwise" %s>
                %s
                </layerwise:Sweep>
                """.formatted(attributes, children));
        return f;
    }
}
