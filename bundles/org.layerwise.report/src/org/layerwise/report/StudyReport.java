package org.layerwise.report;

import java.nio.file.Path;
import java.util.List;

/** What a reporter wrote: the page, the claims it judged, and every figure file. */
public record StudyReport(Path html, List<Claim> claims, List<Path> figureFiles) {

    public StudyReport {
        claims = List.copyOf(claims);
        figureFiles = List.copyOf(figureFiles);
    }
}
