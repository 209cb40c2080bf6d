// The class board's cookies: the sender token (so that a reload or a new tab of the same
// browser is the same sender) and a lecturer's key, written by the page over its own
// connection, so that no key is ever in an address, a link or a request line. data.set:
// [[name, value, max-age in s]] (max-age 0 deletes the cookie).
export default function ({ data }) {
  const secure = location.protocol === "https:" ? "; Secure" : "";
  for (const [name, value, maxAge] of data.set || []) {
    const want = `${name}=${value}`;
    if (maxAge > 0 && document.cookie.split("; ").includes(want)) continue;
    document.cookie = `${want}; path=/; max-age=${maxAge}; SameSite=Strict${secure}`;
  }
}
