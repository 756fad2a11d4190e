/// The Selenium script the browser test runs with python3: it drives headless Chromium through
/// sign-in, search, a refused cross-site post, approving with a pasted signature, a CLI apply
/// watched live, a one-click approval the server signs, and the stack list's new statuses. Kept here so the test target has no loose files.
enum WebBrowserScript {
    static let python = #"""
import json, os, subprocess, sys, time
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException, TimeoutException
from selenium.webdriver.support.ui import WebDriverWait

config = json.load(open(sys.argv[1]))
base = config["base"]
change_set = config["changeSet"]


def fail(message):
    print("FAIL: " + message, flush=True)
    sys.exit(1)


def text(selector):
    return driver.find_element(By.CSS_SELECTOR, selector).text


def wait_for(condition, what, seconds=60):
    # A form's submit replaces the page while the condition runs: an element found on the old page
    # goes stale, or is not there yet on the new one. Both mean "not yet", never a failure; any
    # other exception is reported as itself, not as a timeout.
    try:
        WebDriverWait(
            driver, seconds, poll_frequency=0.1, ignored_exceptions=[NoSuchElementException, StaleElementReferenceException]
        ).until(lambda _: condition())
    except TimeoutException:
        fail("timed out waiting for " + what + " at " + driver.current_url + "; the page is: " + driver.page_source[:3000])
    except Exception as error:
        fail("while waiting for " + what + " at " + driver.current_url + ": " + repr(error))


def search(query):
    field = driver.find_element(By.ID, "q")
    field.clear()
    field.send_keys(query)
    driver.find_element(By.ID, "search").click()
    # The result the user sees: the page loaded for this query, its box showing it.
    wait_for(lambda: "q=" + query in driver.current_url and driver.execute_script("return document.readyState") == "complete"
             and driver.find_element(By.ID, "q").get_attribute("value") == query,
             "the result page of the search for " + query)


options = webdriver.ChromeOptions()
options.binary_location = config["chromium"]
for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1700"]:
    options.add_argument(argument)
driver = webdriver.Chrome(service=Service(config["chromedriver"]), options=options)
try:
    # Sign in: a page without a session sends the browser to the form, and back afterwards.
    driver.get(base + "/")
    wait_for(lambda: "/sign-in" in driver.current_url, "the sign-in form")
    driver.find_element(By.ID, "token").send_keys(config["token"])
    driver.find_element(By.ID, "sign-in").click()
    wait_for(lambda: driver.find_elements(By.ID, "reviewer"), "the stack list after sign-in")
    if text("#reviewer") != "amara":
        fail("signed in as " + text("#reviewer"))

    # Search.
    search("nothing-like-it")
    if "No stack matches." not in text("#stacks"):
        fail("the search for nothing-like-it shows " + text("#stacks"))
    search("we")
    if not driver.find_elements(By.CSS_SELECTOR, 'tr[data-stack="web"]'):
        fail("the search for we does not show stack web: " + text("#stacks"))
    row = driver.find_element(By.CSS_SELECTOR, 'tr[data-stack="web"]')
    if row.find_element(By.CSS_SELECTOR, "td.status").text != "PENDING":
        fail("web is " + row.find_element(By.CSS_SELECTOR, "td.status").text + " before the approval")

    # A form posted from another site, with a valid signature but no CSRF token, is refused.
    signature = open(config["signature"]).read()
    attack = ("<form method='post' action='" + base + "/change-sets/" + change_set + "/approve'>"
              "<textarea name='signature'>" + signature + "</textarea></form>"
              "<script>document.forms[0].submit()</script>")
    driver.get("data:text/html;charset=utf-8," + attack.replace("%", "%25").replace("#", "%23").replace("\n", "%0A"))
    wait_for(lambda: "CSRF token is missing or wrong" in driver.page_source, "the cross-site post to be refused")

    # Open the change set from the list and approve with the pasted ssh-keygen signature.
    driver.get(base + "/?q=web")
    driver.find_element(By.CSS_SELECTOR, 'tr[data-stack="web"] a.change-set').click()
    wait_for(lambda: driver.find_elements(By.ID, "approval-text"), "the change set page")
    if change_set not in driver.title:
        fail("opened " + driver.title)
    if "-n tollgate" not in text("#sign-command"):
        fail("the signing command is " + text("#sign-command"))
    if "Carol Outsider" not in text("#commits"):
        fail("the commits table lacks the author")
    driver.save_screenshot(config["screenshots"] + "/change-set.png")
    driver.find_element(By.ID, "approve-signature").send_keys(signature)
    driver.find_element(By.ID, "approve-button").click()
    wait_for(lambda: driver.find_elements(By.ID, "notice"), "the approval to be recorded")
    if not text("#status").startswith("APPROVED"):
        fail("after approving, the status is " + text("#status"))

    # Apply from the command line while the page watches; the events arrive without a reload.
    wait_for(lambda: driver.find_elements(By.ID, "live"), "the live events section")
    environment = dict(os.environ, TOLLGATE_TEST_GATE=config["gate"])
    apply = subprocess.Popen(config["apply"], env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    wait_for(lambda: "is running" in text("#live-state"), "the execution to start")
    wait_for(lambda: "waiting for the gate" in text("#events"), "the first event")
    open(config["gate"], "w").close()
    wait_for(lambda: "ended: SUCCEEDED" in text("#live-state"), "the execution to end")
    if "deployed web" not in text("#events"):
        fail("events seen: " + text("#events"))
    output, _ = apply.communicate(timeout=60)
    if apply.returncode != 0:
        fail("tollgate apply exited " + str(apply.returncode) + ": " + output)

    # Stack api: approve with one click; the server signs, and the approvals name its key.
    driver.get(base + "/change-sets/" + config["sessionChangeSet"])
    wait_for(lambda: driver.find_elements(By.ID, "session-approve-button"), "the one-click approval button")
    driver.find_element(By.ID, "session-approve-button").click()
    wait_for(lambda: "signed by the server" in text("#notice"), "the one-click approval to be recorded")
    if not text("#status").startswith("APPROVED"):
        fail("after the one-click approval, the status is " + text("#status"))
    attested = "attested by the server key " + config["serverKey"]
    if not any("amara" in row.text and attested in row.text for row in driver.find_elements(By.CSS_SELECTOR, "#approvals tr")):
        fail("the approvals do not show amara's approval " + attested + ": " + text("#approvals"))
    if driver.find_elements(By.ID, "session-approve-button"):
        fail("the one-click button is still offered after approving")

    # The stack list shows the new statuses.
    driver.get(base + "/")
    wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, 'tr[data-stack="web"]'), "the stack list")
    for stack, expected in [("web", "APPLIED"), ("api", "APPROVED")]:
        status = driver.find_element(By.CSS_SELECTOR, 'tr[data-stack="' + stack + '"] td.status').text
        if status != expected:
            fail(stack + " is " + status + " on the stack list, not " + expected)
    driver.save_screenshot(config["screenshots"] + "/stack-list.png")

    driver.find_element(By.ID, "sign-out").click()
    wait_for(lambda: "You are signed out." in driver.page_source, "the sign-out")
    print("OK", flush=True)
finally:
    driver.quit()
"""#
}
