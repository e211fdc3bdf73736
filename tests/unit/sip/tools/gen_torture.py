# Generates tests/unit/sip/torture/*.sip in wire form (CRLF, raw octets).
import os
out = "/work/main/tests/unit/sip/torture"
os.makedirs(out, exist_ok=True)

def w(name, text, body=b"", raw=None, cl=True):
    if raw is not None:
        data = raw
    else:
        lines = text.strip("\n").split("\n")
        head = "\r\n".join(lines).encode("utf-8") + b"\r\n"
        if cl is True:
            head += b"Content-Length: %d\r\n" % len(body)
        data = head + b"\r\n" + body
    open(os.path.join(out, name + ".sip"), "wb").write(data)

sdp = (b"v=0\r\no=mhandley 29739 7272939 IN IP4 192.0.2.3\r\ns=-\r\nc=IN IP4 192.0.2.4\r\n"
       b"t=0 0\r\nm=audio 49217 RTP/AVP 0 12\r\nm=video 3227 RTP/AVP 31\r\na=rtpmap:31 LPC\r\n")

# 3.1.1.1 wsinv: whitespace, folding, compact forms, odd case, leading zeros.
w("wsinv", """INVITE sip:vivekg@chair-dnrc.example.com;unknownparam SIP/2.0
TO :
 sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n
from   : "J Rosenberg \\\\\\""       <sip:jdrosen@example.com>
  ;
  tag = 98asjd8
MaX-fOrWaRdS: 0068
Call-ID: wsinv.ndaksdj@192.0.2.1
Content-Length   : %d
cseq: 0009
  INVITE
Via  : SIP  /   2.0
 /UDP
    192.0.2.2;branch=390skdjuw
s :
NewFangledHeader:   newfangled value
 continued newfangled value
UnknownHeaderWithUnusualValue: ;;,,;;,;
Content-Type: application/sdp
Route:
 <sip:services.example.com;lr;unknownwith=value;unknown-no-value>
v:  SIP  / 2.0  / TCP     spindle.example.com   ;
  branch  =   z9hG4bK9ikj8  ,
 SIP  /    2.0   / UDP  192.168.255.111   ; branch=
 z9hG4bK30239
m:"Quoted string \\"\\"" <sip:jdrosen@example.com> ; newparam =
      newvalue ;
  secondparam ; q = 0.33""" % len(sdp), sdp, cl=False)

# 3.1.1.2 intmeth: unusual method token, userinfo with reserved chars, control octets in quoted-pairs.
w("intmeth", None, raw=(
    b"!interesting-Method0123456789_*+`.%indeed'~ sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)@example.com SIP/2.0\r\n"
    b"Via: SIP/2.0/TCP host1.example.com;branch=z9hG4bK-.!%66*_+`'~\r\n"
    b"To: \"BEL:\\\x07 NUL:\\\x00 DEL:\\\x7f\" <sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*@example.com>\r\n"
    b"From: token1~` token2'+_ token3*%!.- <sip:mundane@example.com>;fromParam''~+*_!.-%=\"\xd1\x80\xd0\xb0\xd0\xb1\xd0\xbe\xd1\x82\xd0\xb0\xd1\x8e\xd1\x89\xd0\xb8\xd0\xb9\";tag=_token~1'+`*%!-.\r\n"
    b"Call-ID: intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{\r\n"
    b"CSeq: 139122385 !interesting-Method0123456789_*+`.%indeed'~\r\n"
    b"Max-Forwards: 255\r\n"
    b"extensionHeader-!.%*+_`'~:\xef\xbb\xbf\xe5\xa4\xa7\xe5\x81\x9c\xe9\x9b\xbb\r\n"
    b"Content-Length: 0\r\n\r\n"))

# 3.1.1.3 esc01: escaped characters in URIs and parameters.
w("esc01", """INVITE sip:sips%3Auser%40example.com@example.net SIP/2.0
To: sip:%75se%72@example.com
From: <sip:I%20have%20spaces@example.net>;tag=938
Max-Forwards: 87
i: esc01.239409asdfakjkn23onasd0-3234
CSeq: 234234 INVITE
Via: SIP/2.0/UDP host5.example.net;branch=z9hG4bKkdjuw
C: application/sdp
Contact:
  <sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31>""", sdp)

# 3.1.1.4 escnull: %00 in the user part is legal.
w("escnull", """REGISTER sip:example.com SIP/2.0
To: sip:null-%00-null@example.com
From: sip:null-%00-null@example.com;tag=839923423
Max-Forwards: 70
Call-ID: escnull.39203ndfvkjdasfkq3w4otrq0adsfdfnavd
CSeq: 14398234 REGISTER
Via: SIP/2.0/UDP host5.example.com;branch=z9hG4bKkdjuw
Contact: <sip:%00@host5.example.com>
Contact: <sip:%00%00@host5.example.com>
L:0""", cl=False)

# 3.1.1.5 esc02: an escape inside the method token - a valid (unknown) method.
w("esc02", """RE%47IST sip:registrar.example.com SIP/2.0
To: "%Z%45" <sip:resource@example.com>
From: "%Z%45" <sip:resource@example.com>;tag=f232jadfj23
Call-ID: esc02.asdfnqwo34rq23i34jrjasdcnl23nrlknsdf
Via: SIP/2.0/TCP host.example.com;branch=z9hG4bK209824u
CSeq: 29344 RE%47IST
Max-Forwards: 70
Contact: <sip:alias1@host1.example.com>
C%6Fntact: <sip:alias2@host2.example.com>
Contact: <sip:alias3@host3.example.com>""")

# 3.1.1.6 lwsdisp: no LWS between display name and <.
w("lwsdisp", """OPTIONS sip:user@example.com SIP/2.0
To: sip:user@example.com
From: caller<sip:caller@example.com>;tag=323
Max-Forwards: 70
Call-ID: lwsdisp.1234abcd@funky.example.com
CSeq: 60 OPTIONS
Via: SIP/2.0/UDP funky.example.com;branch=z9hG4bKkdjuw""")

# 3.1.1.7 longreq: long tokens, many values, many Via headers.
longtag = "12982424" * 40
longbranch = "z9hG4bK" + "longvalue" * 50
vias = "\n".join("Via: SIP/2.0/TCP sip%d.example.com:5060;branch=z9hG4bK%s%02d" % (i, "x" * 90, i) for i in range(30))
w("longreq", """INVITE sip:user@example.com SIP/2.0
To: "I have a user name of %s proportion" <sip:user@example.com:6000;unknownparam1=verylonguparamvalue%s;shortparam=x;very%slongname=shortvalue>
From: sip:amazinglylongcallername%s@example.net;tag=%s;unknownheaderparam%s=unknowheaderparam%s
Call-ID: longreq.onereallyreallyreallyreallyreallyreallyreallyreallyreallyreallyreallyreallylongcallid
CSeq: 3882340 INVITE
Unknown-%s-Header: unknown-%s-value; unknown-%s-parameter-name = unknown-%s-parameter-value
Via: SIP/2.0/TCP sip33.example.com
v: SIP/2.0/TCP sip32.example.com
V: SIP/2.0/TCP sip31.example.com
Via: SIP/2.0/TCP sip30.example.com;branch=%s
%s
Max-Forwards: 67
Contact: <sip:amazinglylongcallername%s@host5.example.net>
Content-Type: application/sdp""" % (("extreme " * 20).strip(), "longvalue" * 20, "long" * 20, "long" * 30, longtag,
                                     "long" * 20, "long" * 20, "long" * 20, "long" * 20, "long" * 20, "long" * 20,
                                     longbranch, vias, "long" * 20), sdp)

# 3.1.1.8 dblreq: two requests in one datagram; only the first counts.
first = ("REGISTER sip:example.com SIP/2.0\r\nTo: sip:j.user@example.com\r\nFrom: sip:j.user@example.com;tag=43251j3j324\r\n"
         "Max-Forwards: 8\r\nI: dblreq.0ha0isndaksdj99sdfafnl3lk233412\r\nContact: sip:j.user@host.example.com\r\n"
         "CSeq: 8 REGISTER\r\nVia: SIP/2.0/UDP 192.0.2.125;branch=z9hG4bKon23n34sd\r\nContent-Length: 0\r\n\r\n")
second = ("INVITE sip:joe@example.com SIP/2.0\r\nt: sip:joe@example.com\r\nFrom: sip:caller@example.net;tag=141334\r\n"
          "Max-Forwards: 8\r\nCall-ID: dblreq.0ha0isnda977644900765@192.0.2.15\r\nCSeq: 8 INVITE\r\n"
          "Via: SIP/2.0/UDP 192.0.2.15;branch=z9hG4bKkdjuw380234\r\nContent-Type: application/sdp\r\n"
          "Content-Length: %d\r\n\r\n" % len(sdp))
w("dblreq", None, raw=first.encode() + second.encode() + sdp)

# 3.1.1.9 semiuri: ';' inside the user part.
w("semiuri", """OPTIONS sip:user;par=u%40example.net@example.com SIP/2.0
To: sip:j_user@example.com
From: sip:caller@example.org;tag=33242
Max-Forwards: 3
Call-ID: semiuri.0ha0isndaksdj
CSeq: 8 OPTIONS
Accept: application/sdp, application/pkcs7-mime,
        multipart/mixed, multipart/signed,
        message/sip, message/sipfrag
Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKkdjuw""")

# 3.1.1.10 transports: unusual transport tokens.
w("transports", """OPTIONS sip:user@example.com SIP/2.0
To: sip:user@example.com
From: <sip:caller@example.com>;tag=323
Max-Forwards: 70
Call-ID: transports.kijh4akdnaqjkwendsasfdj
Accept: application/sdp
CSeq: 60 OPTIONS
Via: SIP/2.0/UDP t1.example.com;branch=z9hG4bKkdjuw
Via: SIP/2.0/SCTP t2.example.com;branch=z9hG4bKklasjdhf
Via: SIP/2.0/TLS t3.example.com;branch=z9hG4bK2980unddj
Via: SIP/2.0/UNKNOWN t4.example.com;branch=z9hG4bKasd0f3en
Via: SIP/2.0/TCP t5.example.com;branch=z9hG4bK0a9idfnee""")

# 3.1.1.11 mpart01: multipart/mixed body (SDP + ISUP, RFC 3204).
# IAM from the message type octet (RFC 3204: no CIC): NCI, FCI, CPC, TMR, called party 12345678.
isup = bytes([0x01, 0x00, 0x20, 0x01, 0x0a, 0x00, 0x02, 0x00, 0x06, 0x03, 0x90, 0x21, 0x43, 0x65, 0x87])
mp = (b"--unique-boundary-1\r\nContent-Type: application/sdp\r\n\r\n" + sdp +
      b"\r\n--unique-boundary-1\r\nContent-Type: application/ISUP;version=itu-t92+;base=itu-t92+\r\n"
      b"Content-Disposition: signal;handling=required\r\n\r\n" + isup +
      b"\r\n--unique-boundary-1--\r\n")
w("mpart01", """INVITE sip:+4930123456@gw.example.net;user=phone SIP/2.0
Via: SIP/2.0/UDP 192.0.2.30;branch=z9hG4bKmp17a
Max-Forwards: 70
To: <tel:+4930123456>
From: "Caller" <sip:+4940999@example.com;user=phone>;tag=mp01
Call-ID: mpart01.1717@192.0.2.30
CSeq: 1 INVITE
Contact: <sip:+4940999@192.0.2.30>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary=unique-boundary-1""", mp)

# 3.1.1.12 unreason: UTF-8 reason phrase.
w("unreason", """SIP/2.0 200 = 2**3 * 5**2 но сто девяносто девять - простое
Via: SIP/2.0/UDP 192.0.2.198;branch=z9hG4bK1324923
Call-ID: unreason.1234ksdfak3j2erwedfsASdf
CSeq: 35 INVITE
From: sip:user@example.com;tag=11141343
To: sip:user@example.edu;tag=2229
Content-Type: application/sdp
Contact: <sip:user@host198.example.com>""", sdp)

# 3.1.1.13 noreason: empty reason phrase.
w("noreason", None, raw=b"SIP/2.0 100 \r\nVia: SIP/2.0/UDP 192.0.2.105;branch=z9hG4bK2398ndaoe\r\n"
  b"Call-ID: noreason.asndj203insdf99223ndf\r\nCSeq: 35 INVITE\r\nFrom: <sip:user@example.com>;tag=39ansfi3\r\n"
  b"To: <sip:user@example.edu>;tag=902jndnke3\r\nContent-Length: 0\r\nContact: <sip:user@host105.example.com>\r\n\r\n")

# IPv6 references (RFC 5118 style).
w("ipv6", """INVITE sip:user@[2001:db8::10]:5070;transport=udp SIP/2.0
To: sip:user@[2001:db8::10]
From: sip:user@example.com;tag=81x2
Via: SIP/2.0/UDP [2001:db8::9:1]:5060;received=[2001:db8::9:255];branch=z9hG4bKas3-111
Call-ID: SSG9559905523997077@hlau_4100
Max-Forwards: 70
Contact: "Caller" <sip:caller@[2001:db8::1]>
CSeq: 8612 INVITE""")

# Gateway headers: PRACK/100rel, session timers, identity, diversion, history, Reason.
w("gwheaders", """INVITE sip:+4930123456@gw.example.net;user=phone SIP/2.0
Via: SIP/2.0/TCP 192.0.2.40:5060;branch=z9hG4bKgw1;rport
Max-Forwards: 69
From: "Alice" <sip:+4940111@example.com;user=phone>;tag=a1
To: <sip:+4930123456@gw.example.net;user=phone>
Call-ID: gwheaders-1@192.0.2.40
CSeq: 101 INVITE
Contact: <sip:alice@192.0.2.40:5060;transport=tcp>
Record-Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>
Route: <sip:gw.example.net;lr>
Supported: 100rel, timer
k: histinfo
Require: 100rel
Allow: INVITE, ACK, BYE, CANCEL, PRACK, UPDATE, OPTIONS
Session-Expires: 1800;refresher=uac
Min-SE: 90
P-Asserted-Identity: "Alice" <sip:+4940111@example.com;user=phone>, <tel:+4940111>
Privacy: id;user
Diversion: <sip:+4930999@example.com>;reason=user-busy;counter=1;privacy=off
History-Info: <sip:+4930999@example.com>;index=1, <sip:+4930123456@gw.example.net;cause=486>;index=1.1;rc=1
Reason: Q.850;cause=16;text="Normal call clearing"
RSeq: 776656
RAck: 776656 1 INVITE
Content-Disposition: session;handling=optional""")

# RFC 2543 style request (3.4.1 inv2543): no branch cookie, no Max-Forwards.
w("inv2543", """INVITE sip:UserB@example.com SIP/2.0
Via: SIP/2.0/UDP iftgw.example.com
From: <sip:+13035551111@ift.client.example.net;user=phone>
Record-Route: <sip:UserB@example.com;maddr=ss1.example.com>
To: sip:+16555552222@ss1.example.net;user=phone
Call-ID: inv2543.1717@ift.client.example.com
CSeq: 56 INVITE
Content-Type: application/sdp""", sdp)

# REGISTER with an unknown authorization scheme and escaped URI headers in Contact (regaui / regescrt).
w("regaui", """REGISTER sip:example.com SIP/2.0
To: sip:j.user@example.com
From: sip:j.user@example.com;tag=87321hj23128
Max-Forwards: 8
Call-ID: regaut01.0ha0isndaksdj
CSeq: 9338 REGISTER
Via: SIP/2.0/TCP 192.0.2.253;branch=z9hG4bKkdjuw
Authorization: NoOneKnowsThisScheme opaque-data=here
Contact: <sip:user@example.com?Route=%3Csip:sip.example.com%3E>""")

# Max-Forwards 0 (3.3.11 zeromf): parses; forwarding would be 483.
w("zeromf", """OPTIONS sip:user@example.com SIP/2.0
To: sip:user@example.com
From: sip:caller@example.net;tag=3ghsd41
Call-ID: zeromf.jfasdlfnm2o2l43r5u0asdfas
CSeq: 39234321 OPTIONS
Via: SIP/2.0/UDP host1.example.com;branch=z9hG4bKkdjuw2349i
Max-Forwards: 0""")

# ---------------- invalid ----------------
# 3.1.2.1 badinv01: extraneous separators in Via.
w("badinv01", """INVITE sip:user@example.com SIP/2.0
To: sip:j.user@example.com
From: sip:caller@example.net;tag=134161461246
Max-Forwards: 7
Call-ID: badinv01.0ha0isndaksdjasdf3234nas
CSeq: 8 INVITE
Via: SIP/2.0/UDP 192.0.2.15;;,;,,
Contact: "Joe" <sip:joe@example.org>;;;;
Content-Type: application/sdp""", sdp)

# 3.1.2.2 clerr: Content-Length larger than the body.
w("clerr", None, raw=("INVITE sip:user@example.com SIP/2.0\r\nMax-Forwards: 80\r\nTo: sip:j.user@example.com\r\n"
  "From: sip:caller@example.net;tag=93942939o2\r\nContact: <sip:caller@hungry.example.net>\r\n"
  "Call-ID: clerr.0ha0isndaksdjweiafasdk3\r\nCSeq: 8 INVITE\r\nVia: SIP/2.0/UDP host5.example.com;branch=z9hG4bK-39234-23523\r\n"
  "Content-Type: application/sdp\r\nContent-Length: 9999\r\n\r\n").encode() + sdp)

# 3.1.2.3 scalar02: negative Content-Length.
w("scalar02", """REGISTER sip:example.com SIP/2.0
Via: SIP/2.0/TCP host129.example.com;branch=z9hG4bK342sdfoi3
To: <sip:user@example.com>
From: <sip:user@example.com>;tag=239232jh3
CSeq: 36 REGISTER
Call-ID: scalar02.23o0pd9vanlq3wnrlnewofjas9ui32
Max-Forwards: 300
Expires: 1""" + "0" * 30 + """
Contact: <sip:user@host129.example.com>
  ;expires=280297596632815
Content-Length: -999""", cl=False)

# 3.1.2.4 scalarlg: CSeq beyond 2^31 (and a huge Max-Forwards).
w("scalarlg", """REGISTER sip:example.com SIP/2.0
Via: SIP/2.0/TCP host129.example.com;branch=z9hG4bK342sdfoi3
To: <sip:user@example.com>
From: <sip:user@example.com>;tag=239232jh3
CSeq: 36893488147419103232 REGISTER
Call-ID: scalarlg.23o0pd9vanlq3wnrlnewofjas9ui32
Max-Forwards: 300
Contact: <sip:user@host129.example.com>""")

# 3.1.2.5 quotbal: unterminated quoted string in To.
w("quotbal", """INVITE sip:user@example.com SIP/2.0
To: "Mr. J. User <sip:j.user@example.com>
From: sip:caller@example.net;tag=93334
Max-Forwards: 10
Call-ID: quotbal.aksdj
Contact: <sip:caller@host59.example.net>
CSeq: 8 INVITE
Via: SIP/2.0/UDP 192.0.2.59:5050;branch=z9hG4bKkdjuw39234
Content-Type: application/sdp""", sdp)

# 3.1.2.6 ltgtruri: Request-URI in < >.
w("ltgtruri", """INVITE <sip:user@example.com> SIP/2.0
To: sip:user@example.com
From: sip:caller@example.net;tag=39291
Max-Forwards: 23
Call-ID: ltgtruri.1@192.0.2.5
CSeq: 1 INVITE
Via: SIP/2.0/UDP 192.0.2.5;branch=z9hG4bKkdjuw""")

# 3.1.2.7 lwsruri: LWS inside the Request-URI.
w("lwsruri", """INVITE sip:user@example.com; lr SIP/2.0
To: sip:user@example.com;tag=3xfe-9921883-z9f
From: sip:caller@example.net;tag=231413434
Max-Forwards: 5
Call-ID: lwsruri.asdfasdoeoi2323-asdfwrn23-asd834rk423
CSeq: 2130706432 INVITE
Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKkdjuw2395""")

# 3.1.2.8 lwsstart: several SP between Request-Line elements.
w("lwsstart", """INVITE  sip:user@example.com  SIP/2.0
Max-Forwards: 8
To: sip:user@example.com
From: sip:caller@example.net;tag=8814
Call-ID: lwsstart.dfknq234oi243099adsdfnawe3@example.com
CSeq: 1893884 INVITE
Via: SIP/2.0/UDP host1.example.com;branch=z9hG4bKkdjuw3923""")

# 3.1.2.9 trws: SP after the SIP-Version.
w("trws", """OPTIONS sip:remote-target@example.com SIP/2.0 
Via: SIP/2.0/TCP host1.example.com;branch=z9hG4bK299342093
To: <sip:remote-target@example.com>
From: <sip:local-resource@example.com>;tag=329429089
Call-ID: trws.oicu34958239neffasdhr2345r
Accept: application/sdp
CSeq: 238923 OPTIONS
Max-Forwards: 70""")

# 3.1.2.10 escruri: URI headers in the Request-URI.
w("escruri", """INVITE sip:user@example.com?Route=%3Csip:example.com%3E SIP/2.0
To: sip:user@example.com
From: sip:caller@example.net;tag=341518
Max-Forwards: 7
Contact: <sip:caller@host39923.example.net>
Call-ID: escruri.23940-asdfhj-aje3br-234q098w-fawerh2q-h4n5
CSeq: 39234 INVITE
Via: SIP/2.0/UDP host-of-the-hour.example.com;branch=z9hG4bKkdjuw""")

# 3.1.2.12 regbadct: addr-spec with '?' (must be in < >).
w("regbadct", """REGISTER sip:example.com SIP/2.0
To: sip:user@example.com
From: sip:user@example.com;tag=998332
Max-Forwards: 70
Call-ID: regbadct.k345asrl3fdbv@10.0.0.1
CSeq: 1 REGISTER
Via: SIP/2.0/UDP 135.180.130.133:5060;branch=z9hG4bKkdjuw
Contact: sip:user@example.com?Route=%3Csip:sip.example.com%3E""")

# 3.1.2.13 badaspec: blanks inside < >.
w("badaspec", """OPTIONS sip:user@example.org SIP/2.0
Via: SIP/2.0/UDP host4.example.com:5060;branch=z9hG4bKkdju43234
Max-Forwards: 70
From: "Bell, Alexander" <sip:a.g.bell@example.com>;tag=433423
To: "Watson, Thomas" < sip:t.watson@example.org >
Call-ID: badaspec.sdf0234n2nds0a099u23h3hnnw009cdkne3
Accept: application/sdp
CSeq: 3923239 OPTIONS""")

# 3.1.2.14 baddn: unquoted display name with non-token characters.
w("baddn", """OPTIONS sip:t.watson@example.org SIP/2.0
Via: SIP/2.0/UDP c.example.com:5060;branch=z9hG4bKkdjuw
Max-Forwards: 70
From: Bell, Alexander <sip:a.g.bell@example.com>;tag=43
To: Watson, Thomas <sip:t.watson@example.org>
Call-ID: baddn.31415@c.example.com
Accept: application/sdp
CSeq: 3923239 OPTIONS""")

# 3.1.2.15 badvers: SIP/7.0.
w("badvers", """OPTIONS sip:t.watson@example.org SIP/7.0
Via: SIP/7.0/UDP c.example.com;branch=z9hG4bKkdjuw
Max-Forwards: 70
From: A. Bell <sip:a.g.bell@example.com>;tag=qweoiqpe
To: T. Watson <sip:t.watson@example.org>
Call-ID: badvers.31417@c.example.com
CSeq: 1 OPTIONS""")

# 3.1.2.16 mismatch01: CSeq method differs from the request method.
w("mismatch01", """OPTIONS sip:user@example.com SIP/2.0
To: sip:j.user@example.com
From: sip:caller@example.net;tag=34525
Max-Forwards: 6
Call-ID: mismatch01.dj0234sxdfl3
CSeq: 8 INVITE
Via: SIP/2.0/UDP host.example.com;branch=z9hG4bKkdjuw""")

# 3.1.2.17 mismatch02: unknown method, CSeq of another method.
w("mismatch02", """NEWMETHOD sip:user@example.com SIP/2.0
To: sip:j.user@example.com
From: sip:caller@example.net;tag=34525
Max-Forwards: 6
Call-ID: mismatch02.dj0234sxdfl3
CSeq: 8 INVITE
Contact: <sip:caller@host.example.net>
Via: SIP/2.0/UDP host.example.net;branch=z9hG4bKkdjuw
Content-Type: application/sdp""", sdp)

# 3.1.2.18 bigcode: status code out of range.
w("bigcode", """SIP/2.0 4294967301 better not break the receiver
Via: SIP/2.0/UDP 192.0.2.105;branch=z9hG4bK2398ndaoe
Call-ID: bigcode.asdof3uj203asdnf3429uasdhfas3ehjasdfas9i
CSeq: 353494 INVITE
From: <sip:user@example.com>;tag=39ansfi3
To: <sip:user@example.edu>;tag=902jndnke3
Contact: <sip:user@host105.example.com>""")

# 3.3.1 insuf: missing Call-ID, From, To.
w("insuf", """INVITE sip:user@example.com SIP/2.0
CSeq: 193942 INVITE
Via: SIP/2.0/UDP 192.0.2.95;branch=z9hG4bKkdj.insuf
Content-Type: application/sdp""", sdp)

# 3.3.8 multi01: single-valued headers repeated.
w("multi01", """INVITE sip:user@company.com SIP/2.0
Contact: <sip:caller@host25.example.net>
Via: SIP/2.0/UDP 192.0.2.25;branch=z9hG4bKkdjuw
Max-Forwards: 70
CSeq: 5 INVITE
Call-ID: multi01.98asdh@192.0.2.1
CSeq: 59 INVITE
Call-ID: multi01.98asdh@192.0.2.2
From: sip:caller@example.com;tag=3413415
To: sip:user@example.com
To: sip:other@example.net
From: sip:caller@example.net;tag=2923420123""")

# 3.3.9 mcl01: two Content-Length values.
w("mcl01", None, raw=b"OPTIONS sip:user@example.com SIP/2.0\r\nVia: SIP/2.0/UDP host5.example.net;branch=z9hG4bK293423\r\n"
  b"To: sip:user@example.com\r\nFrom: sip:other@example.net;tag=3923942\r\nCall-ID: mcl01.fhn2323orihawfdoa3o4r52o3irsdf\r\n"
  b"CSeq: 15932 OPTIONS\r\nContent-Length: 13\r\nMax-Forwards: 60\r\nContent-Length: 5\r\n"
  b"Content-Type: text/plain\r\n\r\nThere's no way to know how many octets are supposed to be here.\r\n")

# Bad Max-Forwards (non-numeric) and bad CSeq number.
w("badmf", """OPTIONS sip:user@example.com SIP/2.0
Via: SIP/2.0/UDP host5.example.net;branch=z9hG4bK2934mf
To: sip:user@example.com
From: sip:other@example.net;tag=39mf
Call-ID: badmf.1
CSeq: 1 OPTIONS
Max-Forwards: seventy""")
w("badcseq", """OPTIONS sip:user@example.com SIP/2.0
Via: SIP/2.0/UDP host5.example.net;branch=z9hG4bK2934cs
To: sip:user@example.com
From: sip:other@example.net;tag=39cs
Call-ID: badcseq.1
CSeq: -1 OPTIONS
Max-Forwards: 70""")
# Folded header line that never ends (no empty line).
w("noend", None, raw=b"OPTIONS sip:user@example.com SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nTo: sip:u@example.com\r\n")
