namespace Tower.Gateway.Verification;

/// <summary>What a signature verifier found (spec §11).</summary>
public enum SignatureCheck
{
    /// <summary>Signed with one of the verifier's secrets, within its time window.</summary>
    Valid,

    /// <summary>Missing, malformed or wrong: 401 <c>Invalid signature</c>.</summary>
    Invalid,

    /// <summary>Signed, but with a timestamp outside the window: 401 <c>Signature expired</c>.</summary>
    Expired,
}
