"""A web page: open http://127.0.0.1:3233/api/v1/web/<namespace>/sample/page in a browser."""

PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Say hello</title>
</head>
<body>
  <h1>Say hello</h1>
  <form id="hello">
    <label for="name">Your name</label>
    <input id="name" name="name" autocomplete="given-name" required>
    <button type="submit">Send</button>
  </form>
  <p id="greeting" role="status"></p>
  <script>
    document.getElementById("hello").addEventListener("submit", async (event) => {
      event.preventDefault();
      const name = document.getElementById("name").value;
      // Relative to this page: the sample/message web function.
      const response = await fetch("message", {
        method: "POST",
        headers: {"Content-Type": "application/json"},
        body: JSON.stringify({name}),
      });
      const answer = await response.json();
      document.getElementById("greeting").textContent = answer.greeting;
    });
  </script>
</body>
</html>
"""


def main(args):
    return {"headers": {"Content-Type": "text/html; charset=utf-8"}, "body": PAGE}
