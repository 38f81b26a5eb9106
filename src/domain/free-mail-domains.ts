/**
 * E-mail domains that say nothing about the company: free-mail providers and disposable inboxes. A lead from
 * one of them is never matched to an account by domain (everyone at gmail.com is not one customer).
 */
const FREE_MAIL = [
  "gmail.com",
  "googlemail.com",
  "yahoo.com",
  "yahoo.co.uk",
  "yahoo.de",
  "yahoo.es",
  "yahoo.fr",
  "ymail.com",
  "hotmail.com",
  "hotmail.co.uk",
  "hotmail.de",
  "hotmail.es",
  "hotmail.fr",
  "outlook.com",
  "outlook.de",
  "outlook.es",
  "live.com",
  "live.de",
  "msn.com",
  "aol.com",
  "icloud.com",
  "me.com",
  "mac.com",
  "gmx.de",
  "gmx.net",
  "gmx.at",
  "gmx.ch",
  "web.de",
  "t-online.de",
  "freenet.de",
  "posteo.de",
  "mailbox.org",
  "proton.me",
  "protonmail.com",
  "pm.me",
  "tutanota.com",
  "zoho.com",
  "yandex.ru",
  "yandex.com",
  "mail.ru",
  "qq.com",
  "163.com",
  "126.com",
  "orange.fr",
  "free.fr",
  "laposte.net",
  "sfr.fr",
  "libero.it",
  "virgilio.it",
  "telefonica.net",
  "terra.es",
  "bluewin.ch",
  "fastmail.com",
  "hey.com",
  "comcast.net",
  "verizon.net",
];

const DISPOSABLE = [
  "mailinator.com",
  "guerrillamail.com",
  "guerrillamail.net",
  "sharklasers.com",
  "10minutemail.com",
  "temp-mail.org",
  "tempmail.net",
  "yopmail.com",
  "trashmail.com",
  "getnada.com",
  "dispostable.com",
  "maildrop.cc",
  "throwawaymail.com",
  "fakeinbox.com",
  "mintemail.com",
  "mohmal.com",
  "emailondeck.com",
];

const IGNORED = new Set([...FREE_MAIL, ...DISPOSABLE]);

/** Whether `domain` (lower case) is a free-mail or disposable domain, or one listed in `extra`. */
export function isIgnoredDomain(domain: string, extra: readonly string[] = []): boolean {
  const d = domain.toLowerCase();
  return IGNORED.has(d) || extra.some((e) => e.toLowerCase() === d);
}

/** The domain of an e-mail address, lower case, or undefined when there is none. */
export function emailDomain(email: string | undefined): string | undefined {
  const at = email?.lastIndexOf("@") ?? -1;
  if (!email || at < 0) return undefined;
  const domain = email
    .slice(at + 1)
    .trim()
    .toLowerCase();
  return domain.includes(".") ? domain : undefined;
}
