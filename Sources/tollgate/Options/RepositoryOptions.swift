import ArgumentParser

/// Which repository to read and how its stacks are laid out.
struct RepositoryOptions: ParsableArguments {
    @Option(help: "The git repository to read (a work tree or a bare repository).")
    var repo: String = "."

    @Option(help: ArgumentHelp(
        "A tollgate.yaml to use instead of the one at the tip of the branch.",
        discussion: "Useful for a repository you cannot commit to.",
        valueName: "file"))
    var config: String?

    @Option(help: "The branch to follow (default: the settings' branch, or main).")
    var branch: String?
}
