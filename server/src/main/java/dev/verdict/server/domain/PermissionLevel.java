package dev.verdict.server.domain;

/** The level a permission applies at; it fixes which of stage and app a check must name. */
public enum PermissionLevel {
    ORGANIZATION(false, false),
    STAGE(true, false),
    APP(true, true);

    private final boolean takesStage;
    private final boolean takesApp;

    PermissionLevel(boolean takesStage, boolean takesApp) {
        this.takesStage = takesStage;
        this.takesApp = takesApp;
    }

    public boolean takesStage() {
        return takesStage;
    }

    public boolean takesApp() {
        return takesApp;
    }
}
