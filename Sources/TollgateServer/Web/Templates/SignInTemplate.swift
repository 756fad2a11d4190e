/// `GET /sign-in`: a reviewer pastes the bearer token `tollgate token issue` gave them.
enum SignInTemplate {
    static let text = """
        {{> header}}
        <h1>Sign in</h1>
        <p>Paste the token that <code>tollgate token issue YOUR-ID</code> printed for you. The page then acts as you, as the API does with the same token.</p>
        <form method="post" action="/sign-in">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <input type="hidden" name="next" value="{{next}}">
        <label for="token">Token</label>
        <input type="password" name="token" id="token" autocomplete="off" required size="70">
        <button type="submit" id="sign-in">Sign in</button>
        </form>
        {{> footer}}
        """
}
