/// The page's only script and style sheet, served from `/static/` so that the Content-Security-Policy
/// needs no inline script or style.
enum StaticAssets {
    /// Follows a running apply's events and reads a chosen .sig file into its textarea.
    static let script = """
        "use strict";
        document.addEventListener("DOMContentLoaded", function () {
          document.querySelectorAll("input.signature-file").forEach(function (input) {
            input.addEventListener("change", function () {
              var file = input.files[0];
              if (!file) { return; }
              file.text().then(function (text) { document.getElementById(input.dataset.target).value = text; });
            });
          });
          var live = document.getElementById("live");
          if (!live || !window.EventSource) { return; }
          var list = document.getElementById("events");
          var state = document.getElementById("live-state");
          var source = new EventSource(live.dataset.events);
          source.addEventListener("started", function (event) {
            state.textContent = "Execution " + event.data + " is running.";
          });
          source.addEventListener("line", function (event) {
            var item = document.createElement("li");
            item.textContent = event.data;
            list.appendChild(item);
          });
          source.addEventListener("end", function (event) {
            state.textContent = "The execution ended: " + event.data + ". Reload for the new status.";
            source.close();
          });
        });

        """

    /// Plain tables, nothing decorative.
    static let styleSheet = """
        body { font-family: sans-serif; margin: 1em 2em; }
        table { border-collapse: collapse; margin-bottom: 1em; }
        th, td { border: 1px solid #999; padding: 0.2em 0.5em; text-align: left; vertical-align: top; }
        form.inline { display: inline; }
        tbody.severe td.mark { font-weight: bold; color: #a00; }
        .problem { color: #a00; font-weight: bold; }
        .notice { color: #060; font-weight: bold; }
        pre { background: #f4f4f4; padding: 0.5em; white-space: pre-wrap; }
        label { display: block; margin-top: 0.5em; }

        """
}
