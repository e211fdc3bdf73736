// DSS1 (Q.931 / ETSI EN 300 403-1, a PRI) <-> ISUP (Q.699) and <-> SIP, as pure
// functions over the message models. The SIP side is composed from the ISUP
// rules already in mapping/ (Q.1912.5, RFC 3398, RFC 3578) and the Q.699 rules
// here, as TS 29.163 composes them, so nothing is copied:
//
//   SIP -> DSS1   setup_from_invite() (interworking.h) -> setup_from_isup()
//   DSS1 -> SIP   invite_from_dss1()  = Q.699 SETUP -> IAM parts -> invite_from_setup()
//   causes        the Q.850 value and location pass unchanged between DSS1 and
//                 ISUP (Q.850 is both protocols' cause); to/from SIP through
//                 cause_map.h.
//
// Sources: code points from Q.931 4.5.5 (bearer capability), 4.5.8 Table 4-9
// (type of number, numbering plan), 4.5.10 (presentation, screening), 4.5.23
// (progress descriptions) and Q.763 3.9/3.10/3.23/3.35/3.54/3.57. The
// correspondences themselves are Q.699's (1997) as commonly implemented; its
// tables were not readable in this session's library (only the 1988 text's
// introduction), so each rule below names what it rests on and rows without
// a standard's text say "(unconfirmed)" or "(our choice)".
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "base/result.h"
#include "isup/isup_cc_user.h"
#include "isup/number.h"
#include "isup/params.h"
#include "mapping/interworking.h"
#include "mapping/number_map.h"
#include "mapping/sip_profile.h"
#include "q931/message.h"

namespace isupgw::mapping {

// Q.931 4.5.8 Table 4-9 type of number.
namespace ton {
inline constexpr std::uint8_t kUnknown = 0, kInternational = 1, kNational = 2, kNetworkSpecific = 3, kSubscriber = 4,
                              kAbbreviated = 6;
}
// Q.931 4.5.23 progress descriptions.
namespace progress {
inline constexpr std::uint8_t kNotEndToEndIsdn = 1, kDestinationNonIsdn = 2, kOriginationNonIsdn = 3,
                              kReturnedToIsdn = 4, kInbandAvailable = 8;
}
// Q.931 4.5.5 information transfer capability.
namespace itc {
inline constexpr std::uint8_t kSpeech = 0x00, kUnrestrictedDigital = 0x08, kAudio31 = 0x10;
}

// ---------------------------------------------------------------- numbers

// Type of number <-> nature of address (Q.763 3.9 b): international 1 <-> 4,
// national 2 <-> 3, subscriber 4 <-> 1, network specific 3 <-> 5; unknown and
// abbreviated -> unknown 2 (the digits then carry prefixes, Table 4-9 note 3).
std::uint8_t nai_for_ton(std::uint8_t type_of_number);
std::uint8_t ton_for_nai(std::uint8_t nai);
// Numbering plan: E.164 1, X.121 3, F.69 4 are the same code in both; DSS1
// unknown 0 -> ISUP 1 after digit analysis (ISUP has no "unknown" plan, Q.763
// 3.9 d); anything else in ISUP -> DSS1 unknown 0 (our choice).
std::uint8_t npi_for_dss1_plan(std::uint8_t plan);
std::uint8_t dss1_plan_for_npi(std::uint8_t npi);

// The PRI's numbering: the dial prefixes a number of type "unknown" is read
// with (Table 4-9 note 3: prefix or escape digits may be present) and the
// calling number screening the network side applies (Q.951 CLIP).
struct PriNumbering {
  NumberPlan plan;                  // allow_star_hash: '*' '#' <-> ISUP codes 11/12 (national option)
  DialPrefixes prefixes;            // for type of number unknown
  bool trust_user_numbers = false;  // a user-provided calling number counts as "verified and passed"
  std::string default_calling;      // national number given as "network provided" when the user's is not
                                    // accepted (empty: none)
};

// DSS1 called party number (SETUP or INFORMATION) -> ISUP called party number
// (kCalled, ST appended when `complete`: sending complete IE, Q.931 5.1.3).
// A type of number "unknown" is analysed with the prefixes into NAI national /
// international / unknown. Errors: empty, bad digit, too long (cause 28).
Result<isup::Number, NumberError> isup_called_from_dss1(const q931::PartyNumber& called, const PriNumbering& n,
                                                        bool complete);
// ISUP called party number (or the digits of a SAM, kSubsequent) -> DSS1 called
// party number; an ST digit ends the digits and sets `complete` (sending
// complete IE towards the user, Q.931 5.2.4 en bloc).
struct Dss1Called {
  q931::PartyNumber number;
  bool complete = false;
};
Dss1Called dss1_called_from_isup(const isup::Number& called);

// DSS1 calling party number -> ISUP calling party number (Q.699 with Q.951 CLIP
// screening): presentation -> APRI unchanged (octet 3a absent: allowed, Q.931
// 4.5.10); a user-provided number (screening 0/1) -> screening "user provided,
// verified and passed" (1) when the span is trusted; a network-provided one
// (3) stays 3; otherwise the span's default number with screening 3
// "network provided", else "address not available" (APRI 2, no digits). No
// number at all and no default: nullopt.
std::optional<isup::Number> isup_calling_from_dss1(const std::optional<q931::PartyNumber>& calling,
                                                   const PriNumbering& n);
// ISUP calling party number -> DSS1: NAI -> type of number, APRI -> presentation,
// screening unchanged (the same two-bit codes in Q.763 3.10 and Q.931 4.5.10).
q931::PartyNumber dss1_calling_from_isup(const isup::Number& calling);

// ---------------------------------------------------------------- bearer

// Bearer capability -> bearer: speech, 3.1 kHz audio, 64 kbit/s unrestricted
// digital (circuit mode, 64 kbit/s). nullopt: another capability (cause 65
// bearer capability not implemented).
std::optional<Bearer> bearer_from_bc(const q931::BearerCapability& bc);
// Bearer -> bearer capability: ITU coding, circuit mode, 64 kbit/s; layer 1
// G.711 A-law (3) / mu-law (2) for speech and 3.1 kHz audio, none for UDI.
q931::BearerCapability bc_for(Bearer b, bool a_law);
// Q.699 / Q.763 3.57: the user service information is the bearer
// capability's contents (octet 3 on) unchanged. Empty when it cannot be written.
std::vector<std::uint8_t> usi_from_bc(const q931::BearerCapability& bc);
// ISUP -> DSS1: the USI's contents when the IAM has one, else from the TMR
// (Q.763 3.54: 0 speech, 2 64 kbit/s unrestricted, 3 3.1 kHz audio; others
// 3.1 kHz audio, our choice).
q931::BearerCapability bc_from_isup(std::span<const std::uint8_t> usi, std::uint8_t tmr, bool a_law);

// ---------------------------------------------------------------- call set-up

// SETUP -> what an IAM is built from. Forward call indicators (Q.763 3.23):
// ISDN access indicator = originating access ISDN unless the SETUP says
// "origination address is non-ISDN" (#3); interworking indicator set by #1 or
// #3; ISUP used all the way otherwise (Q.699, unconfirmed: the bits' meaning is
// Q.763's, the correspondence Q.699's). Errors are Q.850 causes: 96 (called
// party number or bearer capability missing: mandatory, Q.931 3.1.14 ETSI
// overlap allows an empty called number only without sending complete), 28
// (bad digits), 65 (bearer not supported).
Result<isup::SetupRequest, std::uint8_t> iam_from_setup(const q931::Message& setup, const PriNumbering& n);

// IAM parts -> SETUP (the call table adds call reference and channel id):
// called, calling, bearer capability (USI, else TMR), progress indicator #1
// "not end-to-end ISDN" when the forward call indicators say interworking was
// encountered or ISUP was not used all the way, #3 when the originating access
// is not ISDN (Q.699, unconfirmed).
q931::Message setup_from_isup(const isup::Number& called, const std::optional<isup::Number>& calling, std::uint8_t tmr,
                              std::span<const std::uint8_t> usi, const isup::ForwardCallIndicators& fci, bool a_law);
// IAM received -> the call's ISUP form (what an outgoing IAM or SETUP is built from, issue 21 ISUP -> PRI):
// called, calling, category, TMR (3.1 kHz audio if absent), USI (empty if absent: the SETUP's bearer then
// follows the TMR), forward call indicators.
isup::SetupRequest request_from_iam(const isup::IncomingSetup& in);
// IAM received -> SETUP, through request_from_iam() and setup_from_isup().
q931::Message setup_from_iam(const isup::IncomingSetup& in, bool a_law);
// SIP INVITE -> SETUP, through setup_from_invite() (Q.1912.5) and setup_from_isup().
Result<q931::Message, Rejection> setup_from_sip(const sip::Message& invite, const SipProfile& profile);
// SETUP -> INVITE: the Q.699 IAM parts through invite_from_setup() (Q.1912.5),
// the offer's codecs from the bearer capability. Errors as iam_from_setup().
Result<InviteFields, std::uint8_t> invite_from_dss1(const q931::Message& setup, const PriNumbering& n,
                                                    const SipProfile& profile);

// ---------------------------------------------------------------- overlap

// INFORMATION (Q.931 5.1.3 overlap sending) -> the digits appended to what the
// SETUP and earlier INFORMATION messages gave; true when it carries sending
// complete. The type of number and plan stay those of the SETUP.
bool append_information(q931::PartyNumber& called_so_far, const q931::Message& information);
// DSS1 digits -> ISUP SAM digits (kSubsequent, ST when complete; Q.699).
isup::Number sam_from_information(const q931::Message& information);
// ISUP SAM, or the new digits of an RFC 3578 INVITE (overlap_digits() in
// interworking.h) -> INFORMATION with those digits in a called party number
// (type and plan of the SETUP's), sending complete when ST ends them
// (Q.931 5.2.4 overlap receiving).
q931::Message information_from_digits(const isup::Number& subsequent, const q931::PartyNumber& setup_called);
// RFC 3578, DSS1 -> SIP: the next INVITE with every digit so far, through
// invite_with_more_digits() (the ISUP overlap rule's shape).
Result<InviteFields, std::uint8_t> invite_with_more_dss1_digits(const InviteFields& previous,
                                                                const q931::PartyNumber& called_so_far,
                                                                const PriNumbering& n, const SipProfile& profile);

// ---------------------------------------------------------------- progress

// Progress descriptions that mean in-band tones or announcements are on the
// B channel now or may be: #1, #2 (the far end cannot signal, Q.931 5.1.6 /
// 5.2.6) and #8.
bool inband_available(const std::vector<q931::ProgressIndicator>& pis);

// ALERTING / PROGRESS / CONNECT-less backward DSS1 messages -> ISUP ACM / CPG
// parts (Q.699, unconfirmed): ALERTING -> ACM "subscriber free" or CPG
// alerting (1); PROGRESS -> ACM "no indication" or CPG progress (2), in-band
// (3) with #1/#2/#8. BCI: interworking encountered with #1, ISDN access
// indicator "terminating access ISDN" unless #2, ISUP used all the way
// otherwise. CALL PROCEEDING and others: nullopt (nothing to send).
struct IsupBackward {
  isup::BackwardIndication indication;  // alerting, event (CPG), inband (OBCI bit A); msg null
  isup::BackwardCallIndicators bci;     // for an ACM
};
std::optional<IsupBackward> isup_backward_from_dss1(const q931::Message& m, bool acm_sent);
// DSS1 -> SIP: the same indication through provisional_from_backward()
// (180 alerting, 183 progress; early media with in-band information).
std::optional<ProvisionalFields> provisional_from_dss1(const q931::Message& m, const SipProfile& profile);

// ISUP ACM / CPG -> ALERTING or PROGRESS towards the PRI (Q.699, unconfirmed):
// alerting (ACM subscriber free, CPG 1) -> ALERTING; otherwise PROGRESS when
// it carries a progress indicator, else nothing. Progress indicators: #1 when
// the BCI say interworking encountered or ISUP not all the way, #2 when the
// terminating access is not ISDN, #8 with in-band information (OBCI bit A,
// CPG event 3). `bci` null for a CPG.
std::optional<q931::Message> dss1_backward_from_isup(const isup::BackwardIndication& ind,
                                                     const isup::BackwardCallIndicators* bci);
// SIP 18x -> ALERTING / PROGRESS through backward_from_provisional(): 180 ->
// ALERTING; early media (SDP) -> #8 in ALERTING or PROGRESS; a 183 without SDP
// sends nothing (a PROGRESS needs a progress indicator, Q.931 3.1.10), and no
// #1 is sent, so the PBX plays its own ringback (our choice).
std::optional<q931::Message> dss1_backward_from_sip(const sip::Message& response, const SipProfile& profile);

// ---------------------------------------------------------------- causes

// DSS1 cause -> SIP final response: the value and location through
// sip_status_for_cause() (cause 21 from the user -> 603). No cause IE: 31
// normal, unspecified (our choice).
std::optional<int> sip_status_for_dss1_cause(const std::vector<q931::Cause>& causes, CauseTable table);
// SIP final response -> DSS1 cause: cause_for_sip_status(), location "network
// beyond interworking point" (Q.850 2.2.3: 10); 487 (our own CANCEL) -> 16.
q931::Cause dss1_cause_for_sip_status(int status, CauseTable table);
// ISUP <-> DSS1 (Q.699: the cause indicators' value and location unchanged;
// Q.850 is both protocols' cause).
q931::Cause dss1_cause_from_isup(std::uint8_t cause, std::uint8_t location);
std::uint8_t isup_cause_from_dss1(const std::vector<q931::Cause>& causes);

}  // namespace isupgw::mapping
