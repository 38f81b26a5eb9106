const SUFFIX_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";

/**
 * Salesforce's case-safe suffix: for each 5-character chunk of the 15-character id, a bit per upper-case
 * letter picks one character of the alphabet. Real orgs and the outbound-message vectors use 18-char ids.
 */
export function caseSafeSuffix(id15: string): string {
  let suffix = "";
  for (let chunk = 0; chunk < 3; chunk++) {
    let flags = 0;
    for (let bit = 0; bit < 5; bit++) {
      const c = id15.charAt(chunk * 5 + bit);
      if (c >= "A" && c <= "Z") flags |= 1 << bit;
    }
    suffix += SUFFIX_ALPHABET.charAt(flags);
  }
  return suffix;
}

/** An 18-character id with the object's key prefix (`00Q` Lead, `00T` Task, `001` Account…). */
export function salesforceId(keyPrefix: string, serial: number, pod = "5g"): string {
  const id15 = `${keyPrefix}${pod}${String(serial).padStart(15 - keyPrefix.length - pod.length, "0")}`;
  return id15 + caseSafeSuffix(id15);
}

export const SALESFORCE_ID = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;
