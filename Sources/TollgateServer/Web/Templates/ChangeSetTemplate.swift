/// `GET /change-sets/{id}`: one change set as a reviewer needs it, with the forms the signed-in
/// reviewer may use.
enum ChangeSetTemplate {
    static let text = """
        {{> header}}
        <h1>Change set {{id}}</h1>
        <dl id="summary">
        <dt>Stack</dt><dd>{{stack}} ({{kind}})</dd>
        <dt>Status</dt><dd id="status">{{status}}{{#storedStatus}} (stored {{storedStatus}}){{/storedStatus}}{{#destructive}} · destructive{{/destructive}}</dd>
        {{#statusReason}}<dt>Why</dt><dd>{{statusReason}}</dd>{{/statusReason}}
        <dt>Digest</dt><dd><code>{{digest}}</code></dd>
        <dt>Target commit</dt><dd><code>{{targetCommit}}</code></dd>
        <dt>Created</dt><dd>{{createdAt}}</dd>
        </dl>

        <h2>Commits</h2>
        <table id="commits">
        <thead><tr><th>Commit</th><th>Author</th><th>Summary</th><th>Merged by</th></tr></thead>
        <tbody>
        {{#commits}}<tr><td><code>{{id}}</code></td><td>{{author}} &lt;{{email}}&gt;</td><td class="commit-summary">{{summary}}</td><td>{{mergedBy}}</td></tr>{{/commits}}
        </tbody>
        </table>

        {{#planFailure}}<h2>Plan failed</h2><pre id="plan-failure">{{planFailure}}</pre>{{/planFailure}}

        <h2>Resource changes</h2>
        {{#planLine}}<p>{{planLine}}</p>{{/planLine}}
        <table id="changes">
        <thead><tr><th></th><th>Action</th><th>Resource</th><th>Type</th><th>Property</th><th>Before</th><th>After</th><th>Recreation</th></tr></thead>
        {{#changes}}
        <tbody class="change{{#severe}} severe{{/severe}}">
        <tr><td class="mark">{{mark}}</td><td>{{action}}</td><td>{{logicalID}}</td><td>{{resourceType}}</td><td colspan="4">{{#note}}{{note}}{{/note}}</td></tr>
        {{#details}}<tr><td></td><td></td><td></td><td></td><td>{{property}}</td><td><code>{{before}}</code></td><td><code>{{after}}</code></td><td>{{recreation}}</td></tr>{{/details}}
        </tbody>
        {{/changes}}
        {{^changes}}<tbody><tr><td colspan="8">No resource changes.</td></tr></tbody>{{/changes}}
        </table>
        {{#hasWarnings}}<h3>Warnings</h3><ul>{{#warnings}}<li>{{.}}</li>{{/warnings}}</ul>{{/hasWarnings}}

        <h2>Review</h2>
        {{#review}}
        <p id="review-status">Under the policy of commit <code>{{policyCommit}}</code>: {{reviewStatus}}{{#canApplyNow}}; it can be applied now{{/canApplyNow}}.</p>
        {{#hasBlockers}}<ul id="blockers">{{#blockers}}<li>{{.}}</li>{{/blockers}}</ul>{{/hasBlockers}}
        <table id="rules">
        <thead><tr><th>Rule</th><th>Needs</th><th>Approved by</th><th>Still needed</th><th>From</th></tr></thead>
        <tbody>
        {{#requirements}}<tr><td>{{rule}}</td><td>{{needs}}</td><td>{{counted}}</td><td class="missing">{{missing}}</td><td>{{from}}</td></tr>{{/requirements}}
        </tbody>
        </table>
        {{#hasStackPolicy}}
        <h3>Stack policy</h3>
        <table id="stack-policy"><thead><tr><th>Resource</th><th>Action</th><th>Verdict</th></tr></thead><tbody>
        {{#stackPolicy}}<tr><td>{{resource}}</td><td>{{action}}</td><td>{{verdict}}</td></tr>{{/stackPolicy}}
        </tbody></table>
        {{/hasStackPolicy}}
        {{^hasStackPolicy}}<p id="stack-policy">{{stackPolicyNote}}</p>{{/hasStackPolicy}}
        <p id="window">Change window: {{window}}</p>
        <details><summary>The full explain report</summary><pre id="explanation">{{explanation}}</pre></details>
        {{/review}}
        {{^review}}<p id="review-status">{{reviewNote}}</p>{{/review}}

        {{#hasGuards}}
        <h3>Guard rules</h3>
        <table id="guards"><thead><tr><th>Rule</th><th>Resource</th><th>Finding</th><th>Standing</th></tr></thead><tbody>
        {{#guards}}<tr><td>{{rule}}</td><td>{{resource}}</td><td>{{message}}</td><td>{{standing}}</td></tr>{{/guards}}
        </tbody></table>
        {{/hasGuards}}

        <h2>Approvals so far</h2>
        <table id="approvals">
        <thead><tr><th>Reviewer</th><th>Verdict</th><th>Recorded</th><th>Reason</th></tr></thead>
        <tbody>
        {{#approvals}}<tr><td>{{reviewer}}</td><td>{{verdict}}</td><td>{{recordedAt}}</td><td>{{reason}}</td></tr>{{/approvals}}
        {{^approvals}}<tr><td colspan="4">None yet.</td></tr>{{/approvals}}
        </tbody>
        </table>

        <h2>Executions</h2>
        <table id="executions">
        <thead><tr><th>Execution</th><th>Started by</th><th>Started</th><th>Ended</th><th>Result</th></tr></thead>
        <tbody>
        {{#executions}}<tr><td>{{id}}</td><td>{{actor}}</td><td>{{startedAt}}</td><td>{{finishedAt}}</td><td>{{result}}</td></tr>{{/executions}}
        {{^executions}}<tr><td colspan="5">Not applied yet.</td></tr>{{/executions}}
        </tbody>
        </table>
        {{#executions}}{{#hasEvents}}<details><summary>Events of {{id}}</summary><pre>{{#events}}{{.}}
        {{/events}}</pre></details>{{/hasEvents}}{{/executions}}
        {{#applicable}}
        <form id="apply-form" method="post" action="/change-sets/{{id}}/apply">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <button id="apply" type="submit">Apply</button> through the provider the policy in force names, after every check again.
        </form>
        {{/applicable}}
        {{#watchable}}
        <section id="live" data-events="/change-sets/{{id}}/events">
        <h3>Live events</h3>
        <p id="live-state">Events of an apply appear here as they happen.</p>
        <ol id="events"></ol>
        </section>
        {{/watchable}}

        {{#forms}}
        <h2>Your verdict</h2>
        {{#sessionApprove}}
        <section id="session-approve">
        <h3>Approve in this session</h3>
        <form method="post" action="/change-sets/{{id}}/approve-in-session">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <button type="submit" id="session-approve-button">Approve (signed by the server)</button> The policy in force allows session approvals: the server signs your approval with its own key, and it names you.
        </form>
        </section>
        {{/sessionApprove}}
        {{#approve}}
        <section id="approve">
        <h3>Approve</h3>
        <p>Sign this exact text with your SSH key (<a href="/change-sets/{{id}}/approval-text?verdict=approve" download>download it</a> as <code>{{fileName}}</code>):</p>
        <pre id="approval-text">{{text}}</pre>
        <pre id="sign-command">{{command}}</pre>
        <form method="post" action="/change-sets/{{id}}/approve">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <label for="approve-signature">Paste the signature ({{fileName}}.sig)</label>
        <textarea name="signature" id="approve-signature" rows="7" cols="72" required></textarea>
        <label for="approve-file">or choose the .sig file</label> <input type="file" id="approve-file" class="signature-file" data-target="approve-signature" accept=".sig,text/plain">
        <button type="submit" id="approve-button">Approve</button>
        </form>
        </section>
        {{/approve}}
        {{#reject}}
        <section id="reject">
        <h3>Reject</h3>
        <p>Sign this exact text instead (<a href="/change-sets/{{id}}/approval-text?verdict=reject" download>download it</a> as <code>{{fileName}}</code>):</p>
        <pre id="rejection-text">{{text}}</pre>
        <pre>{{command}}</pre>
        <form method="post" action="/change-sets/{{id}}/reject">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <label for="reject-reason">Reason</label> <input type="text" name="reason" id="reject-reason" maxlength="1000">
        <label for="reject-signature">Paste the signature ({{fileName}}.sig)</label>
        <textarea name="signature" id="reject-signature" rows="7" cols="72" required></textarea>
        <label for="reject-file">or choose the .sig file</label> <input type="file" id="reject-file" class="signature-file" data-target="reject-signature" accept=".sig,text/plain">
        <button type="submit" id="reject-button">Reject</button>
        </form>
        </section>
        {{/reject}}
        {{#note}}<p id="verdict-note">{{note}}</p>{{/note}}
        {{/forms}}
        {{> footer}}
        """
}
